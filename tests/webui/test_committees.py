"""A committee member's pages (issue 17 item 6): the committee's cases, the supervision activity
form (what was typed kept on refusal), and the activity on the case page and its timeline."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from models import SupervisionActivity, Suggestion
from workflows import committees
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
GOOD = {"held_on": "2026-02-20", "form": "inquiry", "participants": "主任委员、委员4名",
        "notes": "专题询问城际铁路建设进度"}


@pytest.fixture
def setup(db, domain_engine, org):
    made = Cases(db, domain_engine, org)
    road, _ = made.new(SOLE)
    farm, _ = made.new(SOLE, title="关于高标准农田的建议")
    with db.write() as s:
        s.execute(update(Suggestion).where(Suggestion.id == farm).values(field="农业"))
        now = domain_engine.clock()
        committee = committees.create_committee(s, "交通委", ["交通"], actor="admin", now=now)
        user = create_user(s, "member", "委员甲", "committee", "pw")
        s.flush()
        committees.add_member(s, user, committee, actor="admin", now=now)
    return {"road": road, "farm": farm}


def test_the_list_holds_the_committees_field_only(setup, login_as):
    c = login_as("member")
    html = c.get("/committee").get_data(as_text=True)
    assert "交通委" in html and "关于加快城际铁路建设的建议" in html
    assert "关于高标准农田的建议" not in html
    assert 'href="/committee"' in c.get("/inbox").get_data(as_text=True)  # the nav link
    c.http.set_cookie("lang", "en")
    assert "Transport" in c.get("/committee").get_data(as_text=True)


def test_recording_an_activity_shows_it_on_the_case_page(setup, login_as, db):
    c = login_as("member")
    url = f"/committee/cases/{setup['road']}/activity"
    assert "专题询问" in c.get(url).get_data(as_text=True)
    response = c.post(url, GOOD)
    assert response.status_code == 302 and response.headers["Location"].endswith("#timeline")
    page = c.get(f"/cases/{setup['road']}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):]
    timeline = timeline[:timeline.index("</ol>")]
    assert "记录专门委员会督办活动：交通委 · 专题询问 · 2026-02-20" in timeline
    card = page[page.index('id="supervision-activities"'):]
    assert "主任委员、委员4名" in card and "专题询问城际铁路建设进度" in card
    assert 'id="record-activity"' in card
    assert ">1<" in c.get("/committee").get_data(as_text=True)  # its count in the list
    # the commission sees the card and the timeline, but records nothing
    other = login_as("commission").get(f"/cases/{setup['road']}").get_data(as_text=True)
    assert "专题询问城际铁路建设进度" in other and 'id="record-activity"' not in other


@pytest.mark.parametrize("change, message", [
    ({"held_on": "not-a-date"}, "请填写日期"), ({"held_on": "2099-01-01"}, "日期不能晚于今天"),
    ({"form": "sneaky"}, "请选择督办形式"), ({"form": ""}, "请选择督办形式"),
    ({"participants": "人" * 600}, "participants"), ({"notes": ""}, "notes"),
    ({"notes": "长" * 20_001}, "notes"), ({"notes": "坏\x00字"}, "notes"),
])
def test_a_refused_activity_keeps_what_was_typed(setup, login_as, db, change, message):
    c = login_as("member")
    typed = {**GOOD, **change}
    response = c.post(f"/committee/cases/{setup['road']}/activity", typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    if message in GOOD:  # a field's own message: shown beside it
        assert html.count('class="field has-error"') == 1
    else:
        assert message in html
    for name in ("participants", "notes"):
        if name not in change:
            assert typed[name] in html  # the other fields kept
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionActivity)) == 0


def test_hostile_ids_and_foreign_cases(setup, login_as):
    c = login_as("member")
    for url, expected in ((f"/committee/cases/{setup['farm']}/activity", 403),
                          ("/committee/cases/0/activity", 404),
                          ("/committee/cases/99999999999/activity", 404),
                          ("/committee/cases/424242/activity", 404),
                          ("/committee/cases/abc/activity", 404)):
        assert c.get(url).status_code == expected, url
        assert c.post(url, GOOD).status_code == expected, url
    assert c.post(f"/committee/cases/{setup['road']}/activity", GOOD,
                  csrf=False).status_code == 400  # no CSRF token
    assert c.get(f"/cases/{setup['farm']}").status_code == 403
