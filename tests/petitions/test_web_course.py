"""The same course through the web forms (CSRF tokens and all), as the desk and the bureau use it."""
import re


from tests.petitions.helpers import category_id, id_number, in_days


def _register(web, app, net, **extra):
    form = {"channel": "visit", "head_count": "1", "locality_unit_id": str(net.units["T1"]),
            "category_id": str(category_id(app)), "nature": "demand",
            "summary": "东镇某厂拖欠工资1.2万元，多次讨要未果。", "demands": "要求支付工资",
            "name_0": "张某明", "id_number_0": id_number(1), "phone_0": "13800001111", "address_0": "东镇甲村"}
    form.update(extra)
    resp = web.post("/petitions/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def _version(web, petition_id) -> str:
    page = web.get(f"/petitions/{petition_id}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _do(web, petition_id, slug, expect=302, **fields):
    data = {"version": _version(web, petition_id), **fields}
    resp = web.post(f"/petitions/{petition_id}/do/{slug}", data=data, form_page=f"/petitions/{petition_id}")
    assert resp.status_code == expect, (slug, resp.status_code, re.findall(r'class="error">([^<]+)', resp.get_data(as_text=True)))
    return resp


def test_walk_in_transferred_sent_back_and_accepted_on_the_web(app, net, login):
    desk = login("c_recv")
    form = desk.get("/petitions/new").get_data(as_text=True)
    assert "登记信访事项" in form and "register.js" in form
    pid = _register(desk, app, net)
    page = desk.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "清信〔" in page and "信访部门登记后转送" in page and "138****1111" in page
    _do(desk, pid, "transfer", to_unit_id=str(net.units["B1"]))
    bureau = login("b1_recv")
    inbox = bureau.get("/inbox?box=to_sign").get_data(as_text=True)
    assert "清信〔" in inbox
    _do(bureau, pid, "send-back", reason="不属本局职责", competent_unit_id=str(net.units["T1"]))
    assert bureau.get(f"/petitions/{pid}").status_code == 404
    returned = desk.get("/inbox?box=returned").get_data(as_text=True)
    assert "清信〔" in returned
    _do(desk, pid, "transfer", to_unit_id=str(net.units["T1"]))
    town = login("t1_recv")
    _do(town, pid, "sign-for")
    _do(town, pid, "accept", note="依法受理")
    page = town.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "办理中" in page and "办理并出具处理意见书" in page
    doc = town.get(f"/petitions/{pid}/documents/acceptance_notice").get_data(as_text=True)
    assert "受理告知书" in doc and "60日内办结" in doc


def test_assigned_matter_reply_and_print_on_the_web(app, net, login):
    desk = login("c_recv")
    pid = _register(desk, app, net)
    _do(desk, pid, "assign", to_unit_id=str(net.units["B1"]), report_due_on=in_days(30))
    bureau = login("b1_recv")
    _do(bureau, pid, "sign-for")
    _do(bureau, pid, "accept")
    bad = _do(bureau, pid, "reply", expect=400, outcome="support")
    assert "必填" in bad.get_data(as_text=True)
    _do(bureau, pid, "reply", outcome="support", request="支付拖欠工资", facts="经查，该厂确欠工资1.2万元",
        basis="《劳动合同法》第三十条")
    letter = bureau.get(f"/petitions/{pid}/documents/reply_letter").get_data(as_text=True)
    assert "信访事项处理意见书" in letter and "予以支持" in letter and "30日内" in letter and "请求复查" in letter
    _do(bureau, pid, "report", report="已督促支付")
    _do(desk, pid, "approve-report")
    assert "已办结" in desk.get(f"/petitions/{pid}").get_data(as_text=True)
    # The next walk-in of the same person: the file shows the earlier matter and the answer given.
    lookup = desk.client.post("/petitions/lookup", json={"id_number": id_number(1)},
                              headers={"X-CSRFToken": _csrf(desk)})
    body = lookup.get_json()
    assert body["found"] and body["petitioner"]["replies"][0]["outcome_label"] == "予以支持"
    assert desk.client.post("/petitions/lookup", json={"id_number": id_number(1)}).status_code == 400  # no CSRF


def _csrf(browser):
    page = browser.get("/petitions/new").get_data(as_text=True)
    return re.search(r'id="csrf_token" value="([^"]+)"', page).group(1)


def test_web_registration_errors_are_400_and_keep_the_input(app, net, login):
    desk = login("c_recv")
    resp = desk.post("/petitions/new", data={"channel": "visit", "nature": "demand", "summary": "短",
                                             "name_0": "李某", "id_number_0": "339901198001010011"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "身份证号校验位不正确" in body and "必填" in body
    assert 'value="李某"' in body


def test_public_query_page(app, net, login, api_token):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    p = api.register("c_recv")
    code = p["query_code"]
    public = app.test_client()
    from tests.conftest import csrf_from

    wrong = public.post("/query", data={"query_code": code, "phone_last4": "0000",
                                        "csrf_token": csrf_from(public, "/query")})
    assert wrong.status_code == 404 and "查询码或电话号码不正确" in wrong.get_data(as_text=True)
    right = public.post("/query", data={"query_code": code, "phone_last4": "1111",
                                        "csrf_token": csrf_from(public, "/query")})
    text = right.get_data(as_text=True)
    assert right.status_code == 200 and "已登记待处理" in text and "张某明" not in text and "拖欠" not in text


def test_search_filters_and_pages(app, net, login, api_token):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    for i in range(25):
        api.register("c_recv", petitioners=[{"name": f"检索{i}", "phone": f"1380000{i:04d}"}],
                     locality_unit_id=net.units["T1" if i % 2 else "T2"])
    moved = api.register("c_recv", petitioners=[{"name": "转出", "phone": "13811112222"}])
    api.act("c_recv", moved, "transfer", to_unit_id=net.units["B1"])
    web = login("c_recv")
    first = web.get("/petitions").get_data(as_text=True)
    assert "第 1 / 2 页，共 26 条" in first
    t1 = web.get(f"/petitions?locality_unit_id={net.units['T1']}").get_data(as_text=True)
    assert "共 12 条" in t1
    by_unit = web.get(f"/petitions?unit_id={net.units['B1']}").get_data(as_text=True)
    assert "共 1 条" in by_unit and "转出" in by_unit
    assert "共 1 条" in web.get("/petitions?petitioner=检索3").get_data(as_text=True)
    assert web.get("/petitions?received_from=not-a-date").status_code == 400
    api_page = api.get("c_recv", f"/api/v1/petitions?page_size=10&page=3&locality_unit_id={net.units['T2']}").get_json()
    assert api_page["meta"] == {"page": 3, "page_size": 10, "total": 13, "pages": 2, "total_capped": False}
    assert api_page["items"] == []


def test_counting_stops_at_the_cap(app, net, login, api_token):
    """A county's whole list is not counted row by row on every page: past the cap it says "N+"."""
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    for i in range(7):
        api.register("c_recv", petitioners=[{"name": f"计数{i}", "phone": f"1390000{i:04d}"}])
    app.config["LIST_COUNT_CAP"] = 5
    try:
        text = login("c_recv").get("/petitions?page_size=2").get_data(as_text=True)
        meta = api.get("c_recv", "/api/v1/petitions?page_size=2").get_json()["meta"]
        exact = api.get("c_recv", "/api/v1/petitions?page_size=2&petitioner=计数1").get_json()["meta"]
    finally:
        app.config.pop("LIST_COUNT_CAP")
    assert "共 5+ 条" in text
    assert meta == {"page": 1, "page_size": 2, "total": 5, "pages": 3, "total_capped": True}
    assert exact["total"] == 1 and exact["total_capped"] is False


def test_reveal_and_petitioner_file_on_the_web(app, net, login, api_token):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    p = api.register("c_recv")
    web = login("c_recv")
    page = web.get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "3399**********" in page and id_number(1) not in page
    person = re.search(r'/petitioners/(\d+)"', page).group(1)
    shown = web.post(f"/petitions/{p['id']}/petitioners/{person}/reveal", form_page=f"/petitions/{p['id']}")
    assert shown.status_code == 200 and id_number(1) in shown.get_data(as_text=True)
    file_page = web.get(f"/petitioners/{person}").get_data(as_text=True)
    assert "张某明 的信访档案" in file_page and p["number"] in file_page
    assert login("t2_recv").get(f"/petitioners/{person}").status_code == 404


def test_desk_json_endpoints_answer_json_errors(app, net, login):
    desk = login("c_recv")
    token = _csrf(desk)
    bad = desk.client.post("/petitions/lookup", data="{oops", content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid"
    no_csrf = desk.client.post("/petitions/lookup", json={"id_number": id_number(1)})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"]["code"] == "bad_request"
