"""Which events of a matter reach whose inbox. A receiver of `petitions.signals.event_written`: it runs in
the service's transaction, so the notification is committed with the event, and keys on the event's id, so a
retried or repeated delivery notifies once."""
from __future__ import annotations

from flask import url_for

from county_net.notifications.services import notify

# event kind -> (notification kind, title, whose unit: a Petition attribute after the event, audience)
ROUTED = {
    "transfer": ("petition_transferred", "转送本单位办理", "holder_unit_id", "unit"),
    "assign": ("petition_assigned", "交办本单位办理，请按期报送办结报告", "holder_unit_id", "unit"),
    "sub_assign": ("petition_assigned", "交办本单位办理，请按期报送办结报告", "sub_unit_id", "unit"),
    "send_back": ("petition_sent_back", "被退回，请重新处理", "holder_unit_id", "unit"),
    "sub_send_back": ("petition_sent_back", "被下级单位退回", "handling_unit_id", "unit"),
    "return_report": ("report_returned", "办结报告被退回重办", "handling_unit_id", "unit"),
    "sub_return_report": ("report_returned", "办结报告被退回重办", "sub_unit_id", "unit"),
    "file_report": ("report_filed", "办结报告待审查", "sender_unit_id", "unit"),
    "sub_file_report": ("report_filed", "下级办结报告待审查", "handling_unit_id", "unit"),
    "approve_report": ("report_approved", "办结报告已审查通过", "handling_unit_id", "heads"),
    "report_up": ("petition_reported_up", "重大紧急事项上报", "county_unit_id", "heads"),
}


def _link(petition) -> str:
    try:
        return url_for("petitions.detail", petition_id=petition.id)
    except RuntimeError:  # outside a request (a sweep from the command line)
        return f"/petitions/{petition.id}"


def _subject(petition) -> str:
    # Number and category only: the summary may name people, and an inbox outlives a grant.
    from county_net.petitions.queries import category_names

    name = category_names().get(petition.category_id)
    return f"{petition.number}（{name}）" if name else petition.number


def on_event(petition, event) -> None:
    rule = ROUTED.get(event.kind)
    if rule is not None:
        kind, title, attribute, audience = rule
        unit_id = getattr(petition, attribute, None)
        if unit_id is not None and unit_id != event.actor_unit_id:
            notify(kind=kind, event_key=f"petition_event:{event.id}", unit_id=unit_id,
                   title=f"{_subject(petition)}{title}", body=event.note or "", link=_link(petition),
                   object_type="petition", object_id=petition.id, audience=audience)
    if event.kind == "register" and petition.is_collective:
        _collective(petition, event)


def _collective(petition, event) -> None:
    """A collective visit concerns the county center's heads and the registering unit's heads at once."""
    title = f"{_subject(petition)}集体访，{petition.head_count} 人"
    # Not the locality: it sees the matter only once the matter is sent to it.
    for unit_id in sorted({petition.county_unit_id, petition.unit_id}):
        if unit_id == petition.accused_unit_id:
            continue
        notify(kind="petition_collective", event_key=f"petition_event:{event.id}", unit_id=unit_id, title=title,
               link=_link(petition), object_type="petition", object_id=petition.id, audience="heads")


def connect() -> None:
    from county_net.petitions.signals import event_written

    def receiver(petition, event=None, **_):
        on_event(petition, event)

    event_written.connect(receiver, weak=False)
