"""The served OpenAPI document says what the server does: every limit the server enforces is in it, what
may be null is nullable, and a body it marks required is required (a missing one is a 400 with a field)."""
import pytest
import schemathesis

from county_net.core import text

from tests.petitions.helpers import Api


@pytest.fixture
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _schema(spec, name):
    return spec["components"]["schemas"][name]


def _json_body_operations(spec):
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody") if isinstance(op, dict) else None
            if body and "application/json" in body["content"]:
                yield method, path, body


def test_every_json_body_is_marked_required(spec):
    found = list(_json_body_operations(spec))
    assert len(found) > 40
    assert all(body.get("required") is True for _, _, body in found), \
        [f"{m} {p}" for m, p, b in found if not b.get("required")]


def test_a_missing_body_is_a_400_with_a_field_on_every_operation_that_takes_one(app, net, api_token, spec):
    api = Api(app, api_token)
    matter = api.register("c_recv")
    # A matter the center closed itself: its follow-up task (desk).
    closed = api.act("c_recv", api.register("c_recv"), "handle-self")
    closed = api.act("c_recv", closed, "reply", outcome="support", request="诉求", facts="事实", basis="依据")
    api.act("c_recv", closed, "close")
    task = api.get("c_recv", "/api/v1/desk/follow-ups").get_json()["items"][0]
    ids = {"petition_id": matter["id"], "petitioner_id": matter["parties"][0]["petitioner_id"],
           "user_id": net.users["t1_recv"], "category_id": 1, "link_id": 1, "follow_up_id": task["id"]}
    from tests.coordination.helpers import seed_meeting

    meeting = seed_meeting(api, net)
    ids.update(meeting_id=meeting["meeting_id"], task_id=meeting["task_id"])
    from tests.supervision.helpers import issue

    ids["supervision_id"] = issue(api, net, [matter["id"]])["id"]
    from tests.screening.info_helpers import seed_dispute, send

    ids["info_report_id"] = send(api)["id"]
    ids["dispute_id"] = seed_dispute(app, net)["id"]
    from tests.screening.helpers import seed_rows

    seeded = seed_rows(app, net.units["E1"])
    ids.update(report_id=seeded["report_id"], exemption_id=seeded["exemption_id"])
    from tests.hall.seed import seed_hall, seed_setup

    hall = seed_hall(app, net.units["C0"])
    ids.update(visit_id=hall["visit_id"])
    from tests.hall.seed_rota import seed_rota

    ids["reception_day_id"] = seed_rota(app, net, unit="C0")["reception_day_id"]
    setup = seed_setup(app, net.units["C0"])
    ids.update(station_id=setup["station_id"], rota_id=setup["rota_id"], window_id=setup["window_id"])
    from tests.hall.seed_incident import seed_incident

    ids["incident_id"] = seed_incident(app, net.units["C0"])["incident_id"]
    answered = {}
    for method, path, _ in _json_body_operations(spec):
        url = path.format(**ids)
        # The hall's set-up is edited by the center's head or the admin: anyone else is refused before the body.
        setup = "/hall/stations/" in path or path == "/api/v1/hall/windows/{window_id}"
        user = "admin" if "/users" in path or "/categories" in path or setup else "c_recv"
        if path.endswith("/auth/token"):
            headers = {}
        else:
            headers = api.headers(user)
        for sent in ({}, {"data": "version=1", "content_type": "text/plain"}):
            resp = getattr(api.client, method)(url, headers=headers, **sent)
            answered[f"{method.upper()} {path} {sent or 'no body'}"] = resp.status_code
            assert resp.status_code == 400, (method, path, sent, resp.status_code, resp.get_json())
            error = resp.get_json()["error"]
            assert error["code"] == "invalid" and "_body" in error["fields"], error
    # The three the outside run named, among the rest.
    for name in ("enable", "disable", "reset-password"):
        assert answered[f"POST /api/v1/users/{{user_id}}/{name} no body"] == 400


def test_user_enable_and_disable_need_the_version(app, net, api_token):
    api = Api(app, api_token)
    user = net.users["t1_recv"]
    resp = api.client.post(f"/api/v1/users/{user}/disable", json={}, headers=api.headers("admin"))
    assert resp.status_code == 400 and "version" in resp.get_json()["error"]["fields"]
    resp = api.client.post(f"/api/v1/users/{user}/disable", json={"version": 7}, headers=api.headers("admin"))
    assert resp.status_code == 409
    assert api.client.post(f"/api/v1/users/{user}/disable", json={"version": 1},
                           headers=api.headers("admin")).status_code == 200


def test_an_accusation_seen_without_the_accuser_validates_against_its_schema(app, net, api_token):
    """A unit that may not know the accuser sees petitioner_id null: the document says it may be."""
    api = Api(app, api_token)
    matter = api.register("c_recv", nature="accusation", accused_description="某所工作人员")
    matter = api.act("c_recv", matter, "transfer", to_unit_id=net.units["T1"])
    resp = api.get("t1_recv", f"/api/v1/petitions/{matter['id']}")
    assert resp.status_code == 200
    assert resp.get_json()["parties"][0]["petitioner_id"] is None
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/api/v1/petitions/{petition_id}"]["GET"]
    operation.validate_response(resp)  # raises when the body breaks the documented schema
    rows = api.get("t1_recv", "/api/v1/petitions")
    schema["/api/v1/petitions"]["GET"].validate_response(rows)


def test_the_limits_the_server_enforces_are_in_the_document(spec):
    create = _schema(spec, "PetitionCreate")["properties"]
    assert create["petitioners"]["maxItems"] == 5  # the five representatives
    assert create["head_count"]["minimum"] == 1 and create["head_count"]["maximum"] == 10000
    assert create["summary"]["minLength"] == 5 and create["summary"]["maxLength"] == 4000
    assert create["summary"]["pattern"] == text.pattern(text.TEXT, visible=True)  # not only spaces
    assert create["category_id"]["minimum"] == 1
    assert create["received_at"]["nullable"] is True and "三年" in create["received_at"]["description"]
    person = _schema(spec, "PersonIn")["properties"]
    assert person["name"]["maxLength"] == 60 and person["name"]["pattern"] == text.pattern(text.NAME)
    assert "\\u202a-\\u202e" in person["name"]["pattern"] and "\\u200b" in person["name"]["pattern"]
    assert person["id_number"]["pattern"] == "^([0-9]{17}[0-9Xx])?$"
    assert person["phone"]["pattern"].startswith("^(1[3-9]")
    assert person["address"]["maxLength"] == 200
    assert _schema(spec, "Extend")["properties"]["days"]["maximum"] == 365
    assert _schema(spec, "Version")["properties"]["version"]["minimum"] == 1
    assert _schema(spec, "UserAction")["required"] == ["version"]
    assert _schema(spec, "UserCreate")["properties"]["password"]["minLength"] == 10
    assert _schema(spec, "Redirect")["properties"]["organ"]["maxLength"] == 120
    assert _schema(spec, "CategoryIn")["properties"]["code"]["pattern"] == "^[A-Za-z0-9-]{1,32}$"
    party = _schema(spec, "Party")["properties"]
    assert party["petitioner_id"]["nullable"] is True
    listing = spec["paths"]["/api/v1/petitions"]["get"]["parameters"]
    page_size = next(p for p in listing if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 100
    path_id = spec["paths"]["/api/v1/petitions/{petition_id}"]["parameters"][0]["schema"]
    assert path_id["maximum"] == 2**31 - 1


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/users/{}"), ("patch", "/api/v1/users/{}"), ("patch", "/api/v1/petitioners/{}"),
    ("patch", "/api/v1/categories/{}"), ("post", "/api/v1/petitions/{}/accept"),
])
def test_an_id_beyond_the_documented_maximum_is_not_found_whatever_the_method(app, net, api_token, method, path):
    """The document says ids stop at 2147483647; a larger one names nothing (404), never a 405 because a
    sibling route on the same path has another method."""
    headers = api_token("admin")
    for value in (2**31, 10**11):
        resp = getattr(app.test_client(), method)(path.format(value), json={"version": 1}, headers=headers)
        assert resp.status_code == 404, (method, path, value, resp.status_code)
