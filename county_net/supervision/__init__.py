"""督办: graded supervision records, the escalation sweep and its clocks, the per-unit score ledger."""


def init_app(app):
    from county_net.supervision import models  # noqa: F401
