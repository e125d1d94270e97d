"""The weekly issue as a periodic job (county_net/jobs/schedule.py names it): no arguments, runs in an app
context, returns a line for the log. Suggested schedule: "5 16 * * 0" (UTC), i.e. Monday 00:05 Asia/Shanghai,
just after the week closes; a later or repeated run changes nothing (publish_weekly is idempotent)."""
from county_net.digest.services import publish_weekly


def weekly_issue() -> str:
    results = publish_weekly()
    made = sum(1 for r in results if r["created"])
    told = sum(r["notified"] for r in results)
    week = results[0]["label"] if results else "-"
    return f"digest {week}: {made} new issue(s) of {len(results)} county(ies), {told} head(s) notified"
