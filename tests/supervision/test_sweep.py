"""The escalation sweep: hand-counted days across a 调休 weekend and with an approved extension, once and only
once, resumable after a crash, nothing for a matter closed before it ran, the ledger's totals."""
from datetime import date

import pytest

from county_net.supervision import clocks
from county_net.supervision.settings import DEFAULTS, SupervisionSettings
from tests.supervision.helpers import (Api, act, count, issue, notified, restart_clock, rows, run_sweep,
                                       setup_center_head, transferred)


@pytest.fixture
def api(app, net, api_token):
    setup_center_head(app, net)
    return Api(app, api_token)


def _calendar(app):
    from county_net.petitions.settings import county_settings

    with app.app_context():
        from county_net.extensions import db

        cal = county_settings(_county(app)).calendar()
        db.session.remove()
    return cal


def _county(app):
    return rows(app, "SELECT id FROM units WHERE parent_id IS NULL ORDER BY id")[0][0]


def test_marks_across_a_make_up_sunday_are_the_hand_counted_days(app, net):
    """2026-09-18 is a Friday; Saturday 19 is off, Sunday 20 is a make-up working day (调休), Mon 21 works.
    签收 1 / 2 working days: the last days are Sun 20 and Mon 21, so the cards come on Mon 21 and Tue 22
    (without the make-up Sunday they would be Tue 22 and Wed 23)."""
    settings = SupervisionSettings({}, 3)
    marks = clocks.card_marks("sign", date(2026, 9, 18), 0, settings, _calendar(app))
    assert (marks.warn_on, marks.yellow_on, marks.red_on) == (None, date(2026, 9, 21), date(2026, 9, 22))


def test_marks_with_an_approved_extension_across_the_national_day(app, net):
    """办理 from Mon 2026-09-21 with 3 approved extension days: 5 + 3 = 8 working days. Counting: 22, 23, 24
    (25–27 中秋 off), 28, 29, 30 (Oct 1–7 off), Oct 8, Oct 9 → the last day is Fri Oct 9, and the yellow card
    comes the next working day, Sat Oct 10 (a make-up day). Red: 10 + 3 = 13 → Oct 10, 12, 13, 14, 15 → the
    card on Fri Oct 16. Warning at ⌊8 × 0.7⌋ = 5 working days used: Tue Sep 29."""
    settings = SupervisionSettings({}, 3)
    marks = clocks.card_marks("handle", date(2026, 9, 21), 3, settings, _calendar(app))
    assert (marks.warn_on, marks.yellow_on, marks.red_on) == (date(2026, 9, 29), date(2026, 10, 10),
                                                              date(2026, 10, 16))


def test_the_sweep_lands_on_the_hand_counted_day_and_notifies_once(app, net, api):
    matter = transferred(api, net, "T1")
    restart_clock(app, matter["id"], "sign", date(2026, 9, 18))
    assert run_sweep(app, date(2026, 9, 20))["cards"] == 0  # the make-up Sunday is the last day, not late
    assert count(app, "SELECT count(*) FROM supervisions") == 0
    first = run_sweep(app, date(2026, 9, 21))
    assert first["cards"] == 1 and first["records_issued"] == 1
    level, state, source, target = rows(app, "SELECT level, state, source, target_unit_id FROM supervisions")[0]
    assert (level, state, source, target) == ("yellow", "issued", "sweep", net.units["T1"])
    assert notified(app, "supervision:%") == ["t1_head"]
    again = run_sweep(app, date(2026, 9, 21))
    assert again["clocks"] == 0  # nothing is due: the second run reads no clock and writes nothing
    red = run_sweep(app, date(2026, 9, 22))
    assert red["records_raised"] == 1
    assert rows(app, "SELECT level FROM supervisions") == [("red",)]
    assert notified(app, "supervision:%") == ["t1_head", "t1_head"]  # issued (yellow), raised to red
    run_sweep(app, date(2026, 9, 22))
    run_sweep(app, date(2026, 9, 30))
    assert count(app, "SELECT count(*) FROM notifications WHERE event_key LIKE 'supervision:%'") == 2
    assert sorted(rows(app, "SELECT reason, points FROM supervision_scores")) == [("red", -10), ("yellow", -5)]


def test_an_extension_moves_the_handling_card(app, net, api):
    matter = transferred(api, net, "T1")
    matter = api.act("t1_recv", matter, "sign-for")
    matter = api.act("t1_recv", matter, "accept")
    matter = api.act("t1_head", matter, "extend", days=3, reason="需要补充调查。", petitioner_told=True)
    restart_clock(app, matter["id"], "handle", date(2026, 9, 21))
    (yellow_on, red_on, extra), = rows(app, "SELECT yellow_on, red_on, extension_days FROM supervision_clocks "
                                            "WHERE step = 'handle'")
    assert (str(yellow_on), str(red_on), extra) == ("2026-10-10", "2026-10-16", 3)
    assert run_sweep(app, date(2026, 10, 9))["cards"] == 0
    assert run_sweep(app, date(2026, 10, 10))["records_issued"] == 1


def test_a_sweep_after_a_long_gap_books_both_cards_once(app, net, api):
    matter = transferred(api, net, "T1")
    restart_clock(app, matter["id"], "sign", date(2026, 9, 18))
    result = run_sweep(app, date(2026, 9, 30))
    assert result["records_issued"] == 1
    assert rows(app, "SELECT level FROM supervisions") == [("red",)]
    assert notified(app, "supervision:%") == ["t1_head"]  # one notice, at the level reached
    assert sorted(rows(app, "SELECT reason, points FROM supervision_scores")) == [("red", -10), ("yellow", -5)]


def test_a_crash_after_the_first_batch_and_a_rerun_finish_without_duplicates(app, net, api):
    ids = [transferred(api, net, code)["id"] for code in ("T1", "T2", "B1")]
    for pid in ids:
        restart_clock(app, pid, "sign", date(2026, 9, 18))

    class Crash(RuntimeError):
        pass

    def crash(progress):
        raise Crash(progress)

    with pytest.raises(Crash):
        run_sweep(app, date(2026, 9, 21), batch=1, after_batch=crash)
    assert count(app, "SELECT count(*) FROM supervisions") == 1  # the first batch was committed
    rest = run_sweep(app, date(2026, 9, 21), batch=1)
    assert rest["records_issued"] == 2
    assert count(app, "SELECT count(*) FROM supervisions") == 3
    assert sorted(r[0] for r in rows(app, "SELECT target_unit_id FROM supervisions")) == sorted(
        net.units[c] for c in ("T1", "T2", "B1"))
    keys = rows(app, "SELECT user_id, event_key FROM notifications WHERE event_key LIKE 'supervision:%'")
    assert len(keys) == len(set(keys)) == 3
    assert run_sweep(app, date(2026, 9, 21))["clocks"] == 0


def test_a_matter_closed_before_the_sweep_gets_nothing_but_its_on_time_point(app, net, api):
    matter = transferred(api, net, "T1")
    matter = api.act("t1_recv", matter, "sign-for")
    matter = api.act("t1_recv", matter, "accept")
    matter = api.act("t1_recv", matter, "reply", outcome="support", request="支付工资。", facts="属实。",
                     basis="《劳动合同法》。")
    api.act("t1_recv", matter, "close")
    assert count(app, "SELECT count(*) FROM supervision_clocks WHERE petition_id = :p", p=matter["id"]) == 0
    run_sweep(app, date(2099, 1, 1))
    assert count(app, "SELECT count(*) FROM supervisions") == 0
    assert count(app, "SELECT count(*) FROM notifications WHERE kind LIKE 'supervision%' "
                      "OR kind IN ('petition_due_soon', 'petition_overdue')") == 0
    assert rows(app, "SELECT unit_id, points, reason FROM supervision_scores") == [
        (net.units["T1"], 1, "on_time_close")]


def test_due_soon_and_overdue_notices_go_to_the_holder_once(app, net, api):
    matter = transferred(api, net, "T1")
    (due_on, warn_on, overdue_on), = rows(app, "SELECT due_on, warn_on, overdue_on FROM supervision_clocks "
                                              "WHERE step = 'due'")
    due_on, warn_on, overdue_on = (date.fromisoformat(str(d)) for d in (due_on, warn_on, overdue_on))
    assert (due_on - warn_on).days == DEFAULTS.get("due_soon_days", 3) and (overdue_on - due_on).days == 1
    assert run_sweep(app, warn_on)["due_soon"] == 1
    assert notified(app, f"petition:{matter['id']}:due_soon:%") == ["t1_head", "t1_recv"]
    run_sweep(app, warn_on)
    assert run_sweep(app, overdue_on)["overdue"] == 1
    assert notified(app, f"petition:{matter['id']}:overdue:%") == ["t1_head", "t1_recv"]
    run_sweep(app, overdue_on)
    assert count(app, "SELECT count(*) FROM notifications WHERE event_key LIKE 'petition:%'") == 4


def test_the_ledger_totals_on_a_fixture(app, net, api):
    """T1: a matter left unsigned past both cards (−5, −10); T2: a yellow card issued by hand (−5) and a matter
    closed on time (+1); B1: two matters closed on time (+1, +1). Totals: T1 −15, T2 −4, B1 +2."""
    late = transferred(api, net, "T1")
    restart_clock(app, late["id"], "sign", date(2026, 9, 18))
    run_sweep(app, date(2026, 9, 25))
    t2 = transferred(api, net, "T2")
    issue(api, net, [t2["id"]], target_unit_id=net.units["T2"], level="yellow")
    for code, user in (("T2", "t2_recv"), ("B1", "b1_recv"), ("B1", "b1_recv")):
        m = transferred(api, net, code)
        m = api.act(user, m, "sign-for")
        m = api.act(user, m, "accept")
        m = api.act(user, m, "reply", outcome="explain", request="咨询。", facts="已解释。", basis="有关规定。")
        api.act(user, m, "close")
    totals = {u["unit_name"]: (u["total"], u["yellow"], u["red"], u["on_time_close"])
              for u in api.get("c_recv", "/api/v1/supervision/scores").get_json()}
    assert totals == {"东镇人民政府": (-15, 1, 1, 0), "西镇人民政府": (-4, 1, 0, 1), "测试县人社局": (2, 0, 0, 2)}
    assert api.get("t1_head", "/api/v1/supervision/scores").status_code == 403


def test_screens_show_the_cards_before_the_sweep_has_run(app, net, api, login):
    matter = transferred(api, net, "T1")
    restart_clock(app, matter["id"], "sign", date(2020, 1, 6))  # long ago: red by any count
    late = api.get("c_recv", "/api/v1/supervision/late-units").get_json()
    assert late == [{"unit_id": net.units["T1"], "unit_name": "东镇人民政府", "cards": 1, "yellow": 0, "red": 1}]
    clocks_now = {c["step"]: c["level"] for c in api.get("c_recv", f"/api/v1/petitions/{matter['id']}/clocks")
                  .get_json()}
    assert clocks_now["sign"] == "red"
    assert count(app, "SELECT count(*) FROM supervisions") == 0  # the sweep has not run
    page = login("c_recv").get("/supervision").get_data(as_text=True)
    assert "东镇人民政府" in page and "应予督办的单位" in page
