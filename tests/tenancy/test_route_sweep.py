"""Every URL rule that takes an object id answers 404 for a sibling's object, whatever the method.
The rules are read from the app, so a new route is covered without anyone remembering it."""
import pytest
import sqlalchemy as sa

# id argument -> (which object of the sibling T2 to use)
ID_ARGS = {
    "unit_id": ("units", "T2"),
    "user_id": ("users", "t2_recv"),
    "petition_id": ("petitions", "T2"),
    "link_id": ("links", "T2"),
    "petitioner_id": ("petitioners", "T2"),
    "attachment_id": ("attachments", "T2"),
    "category_id": ("categories", "any"),  # reference data: visible to all, so only the role check applies
    "notification_id": ("notifications", "T2"),
    "meeting_id": ("meetings", "T2"),
    "task_id": ("meeting_tasks", "T2"),
    "follow_up_id": ("follow_ups", "T2"),
    "supervision_id": ("supervisions", "T2"),
    "report_id": ("screening_reports", "E2"),
    "dispute_id": ("disputes", "E2"),
    "exemption_id": ("screening_exemptions", "E2"),
    "info_report_id": ("info_reports", "T2"),
    "visit_id": ("hall_visits", "C0"),  # the county center's hall: T1 and its units never see it
    "reception_day_id": ("reception_days", "T2"),
    "station_id": ("hall_stations", "T2"),  # hall rows owned by the sibling (tests/hall/seed.py)
    "rota_id": ("hall_rotas", "T2"),
    "window_id": ("windows", "T2"),
    "incident_id": ("incidents", "C0"),  # the county center's hall: no township sees it
}
# Other URL arguments get a value that would be valid for an object one may see.
OTHER_ARGS = {"slug": "accept", "decision": "confirm", "kind": "registration_form", "action": "receive",
              "verdict": "approve", "rota_action": "publish"}


def id_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if any(a.endswith("_id") for a in r.arguments)),
                  key=lambda r: r.rule)


def _values(net, rule, pick):
    values = {}
    for arg in rule.arguments:
        if arg in OTHER_ARGS:
            values[arg] = OTHER_ARGS[arg]
            continue
        kind, key = ID_ARGS[arg]
        values[arg] = pick(getattr(net, kind), key)
    return values


@pytest.fixture
def foreign(app, net, api_token):
    """A matter of T2 (with a repeat link and a petitioner file), added to `net`."""
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    api.register("t2_recv")
    second = api.register("t2_recv")
    second = api.show("t2_recv", second["id"])
    net.categories = {"any": 987654}  # no such category: 404 like any unknown id
    net.petitions = {"T2": second["id"]}
    net.attachments = {"T2": api.upload("t2_recv", second["id"])[0]["id"]}
    net.links = {"T2": second["links"][0]["id"]}
    # A follow-up task of 西镇: a matter it handled itself and closed.
    third = api.register("t2_recv", summary="西镇某村道路损坏无人维修，影响村民出行，要求尽快修复。")
    third = api.act("t2_recv", third, "handle-self")
    third = api.act("t2_recv", third, "reply", outcome="support", request="修路", facts="属实", basis="依据")
    api.act("t2_recv", third, "close")
    from tests.coordination.helpers import seed_meeting

    meeting = seed_meeting(api, net, invited=("T2", "B1"))  # the county center's meeting with T2 and B1
    net.meetings = {"T2": meeting["meeting_id"]}
    net.meeting_tasks = {"T2": meeting["task_id"]}
    # A 督办 aimed at T2 (the county center issues it): T2 and the center see it, T1 and its units do not.
    from datetime import date, timedelta

    resp = api.post("c_recv", "/api/v1/supervisions", {
        "petition_ids": [second["id"]], "target_unit_id": net.units["T2"], "level": "yellow", "method": "document",
        "problem": "overdue", "content": "逾期。", "required_action": "办理。",
        "feedback_due_on": (date.today() + timedelta(days=7)).isoformat()})
    assert resp.status_code == 201, resp.get_json()
    net.supervisions = {"T2": resp.get_json()["id"]}
    from tests.screening.helpers import seed_rows

    seeded = seed_rows(app, net.units["E2"])  # 西镇某厂's sheet: T1, its units and E1 never see it
    net.screening_reports = {"E2": seeded["report_id"]}
    net.disputes = {"E2": seeded["dispute_id"]}
    net.screening_exemptions = {"E2": seeded["exemption_id"]}
    # 西镇's immediate report, sent through the API.
    resp = api.post("t2_recv", "/api/v1/info-reports", {"title": "西镇的即时报告", "content": "西镇某村聚集苗头。"})
    assert resp.status_code == 201, resp.get_json()
    net.info_reports = {"T2": resp.get_json()["id"]}
    from tests.hall.seed import seed_hall, seed_setup

    hall = seed_hall(app, net.units["C0"], net.units["T2"])
    net.hall_visits = {"C0": hall["visit_id"]}
    from tests.hall.seed_rota import seed_rota

    net.reception_days = {"T2": seed_rota(app, net)["reception_day_id"]}  # 西镇's own reception day
    hall = seed_setup(app, net.units["T2"])
    net.hall_stations, net.hall_rotas, net.windows = ({"T2": hall[k]} for k in ("station_id", "rota_id", "window_id"))
    from tests.hall.seed_incident import seed_incident

    net.incidents = {"C0": seed_incident(app, net.units["C0"])["incident_id"]}
    with app.app_context():
        from county_net.extensions import db
        from county_net.petitions.models import PetitionParty
        from county_net.tenancy import system_scope

        from county_net.notifications.models import Notification
        from county_net.notifications.services import notify

        with system_scope("test"):
            net.petitioners = {"T2": db.session.scalar(
                sa.select(PetitionParty.petitioner_id).where(PetitionParty.petition_id == second["id"]))}
            notify(kind="petition_transferred", event_key="sweep", unit_id=net.units["T2"], title="西镇的通知",
                   link="/", object_type="petition", object_id=second["id"], audience="unit")
            db.session.commit()
            net.notifications = {"T2": db.session.scalar(sa.select(Notification.id).where(
                Notification.unit_id == net.units["T2"]).limit(1))}
            from county_net.desk.models import FollowUp

            net.follow_ups = {"T2": db.session.scalar(sa.select(FollowUp.id).where(FollowUp.petition_id == third["id"]))}
            assert net.follow_ups["T2"] is not None
            db.session.remove()
    return net


def test_every_id_argument_is_known(app):
    arguments = {a for r in id_rules(app) for a in r.arguments}
    unknown = arguments - ID_ARGS.keys() - OTHER_ARGS.keys()
    assert not unknown, f"teach the sweep these arguments: {sorted(unknown)}"
    assert len(id_rules(app)) >= 8


@pytest.mark.parametrize("username", ["t1_recv", "t1_head", "e1_liaison"])
def test_sibling_ids_are_404_everywhere(app, foreign, login, api_token, username):
    net = foreign
    app.config["WTF_CSRF_ENABLED"] = False  # the sweep is about scoping; CSRF has its own test
    web = login(username).client
    headers = api_token(username)
    adapter = app.url_map.bind("localhost")
    tried = 0
    for rule in id_rules(app):
        url = adapter.build(rule.endpoint, _values(net, rule, lambda d, k: d[k]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                resp = web.open(url, method=method, json={"version": 1}, headers=headers)
            else:
                resp = web.open(url, method=method, data={"version": "1", "name": "x"})
            assert resp.status_code == 404, f"{username} {method} {rule.rule} -> {resp.status_code}"
            body = resp.get_data(as_text=True)
            assert "西镇" not in body and "t2_recv" not in body and "张某明" not in body
            tried += 1
    assert tried >= 40


def test_unknown_ids_are_404_too(app, net, login, api_token):
    app.config["WTF_CSRF_ENABLED"] = False
    web = login("admin").client
    headers = api_token("admin")
    adapter = app.url_map.bind("localhost")
    for rule in id_rules(app):
        url = adapter.build(rule.endpoint, {a: OTHER_ARGS.get(a, 987654) for a in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = web.open(url, method=method, json={"version": 1}, headers=headers)
            assert resp.status_code == 404, f"{method} {rule.rule} -> {resp.status_code}"


def test_parent_sees_its_subtree_and_center_sees_all(app, net, login, api_token):
    client = app.test_client()
    t1 = api_token("t1_head")
    assert client.get(f"/api/v1/units/{net.units['E1']}", headers=t1).status_code == 200
    assert client.get(f"/api/v1/units/{net.units['V1']}", headers=t1).status_code == 200
    assert client.get(f"/api/v1/units/{net.units['C0']}", headers=t1).status_code == 404  # not upward
    center = api_token("c_recv")
    for code in ("T1", "T2", "B1", "E1", "V1", "E2"):
        assert client.get(f"/api/v1/units/{net.units[code]}", headers=center).status_code == 200
    web = login("t1_head")
    assert web.get(f"/units/{net.units['E1']}").status_code == 200
    assert web.get(f"/units/{net.units['E2']}").status_code == 404
    admin = login("admin")
    assert admin.get(f"/admin/users/{net.users['t2_recv']}").status_code == 200
