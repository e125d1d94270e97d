"""通知: every user's inbox. Other capabilities call `services.notify` inside their own transactions; the
events of a matter arrive through `petitions.signals.event_written` (`petition_rules`)."""


def init_app(app):
    from county_net.notifications import api, petition_rules, views

    petition_rules.connect()
    app.register_blueprint(views.bp)
    app.jinja_env.globals["unread_notifications"] = views.header_count
    api.register(app)
