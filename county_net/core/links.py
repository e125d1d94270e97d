"""A link stored in a notification: relative, and buildable outside a request (the sweeps run from cron)."""
from flask import current_app, has_request_context, url_for


def relative_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=False, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
