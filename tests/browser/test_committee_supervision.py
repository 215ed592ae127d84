"""In Chromium (issue 17 items 5 and 6): a committee member opens a case of its field from the
对口督办 list, records a supervision activity (a refused try keeps what was typed) and sees it
in the case's timeline; the bulletin figures page in Chinese and English, its table within the
page."""
from __future__ import annotations

import pytest

from workflows import committees
from workflows.users import create_user

from ..workflows.bulletin_data import build
from ..workflows.helpers import Cases

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_a_committee_member_records_an_activity_seen_in_the_timeline(db, domain_engine, org,
                                                                       cast):
    Cases(db, domain_engine, org).new(SOLE)
    with db.write() as s:
        now = domain_engine.clock()
        road = committees.create_committee(s, "交通运输委员会", ["交通"], actor="admin", now=now)
        member = create_user(s, "member", "委员甲", "committee", "pw")
        s.flush()
        committees.add_member(s, member, road, actor="admin", now=now)
    person = cast["member"]
    page = person.page
    page.click("#committee-link")
    page.wait_for_selector("#committee-cases")
    person.shot("01-committee-cases")
    page.click("#committee-cases a:has-text('关于加快城际铁路建设的建议')")
    page.wait_for_selector("#timeline")
    page.click("#record-activity")
    page.fill("#held_on", "2026-02-20")
    page.fill("#participants", "主任委员、委员4名，省交通运输厅分管负责同志")
    page.fill("#notes", "赴长沙、株洲开展专项调研，听取城际铁路建设进展。")
    page.click("#activity-form button[type=submit]")  # no form chosen: refused, typed kept
    page.wait_for_selector(".has-error")
    assert page.input_value("#notes") == "赴长沙、株洲开展专项调研，听取城际铁路建设进展。"
    assert page.input_value("#held_on") == "2026-02-20"
    person.shot("02-activity-refused")
    page.select_option("#form", "field_study")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("#supervision-activities")
    timeline = page.inner_text("#timeline")
    assert "记录专门委员会督办活动：交通运输委员会 · 专项调研 · 2026-02-20" in timeline
    assert "赴长沙、株洲开展专项调研" in page.inner_text("#supervision-activities")
    person.shot("03-case-timeline")
    page.goto(f"{person.base}/lang/en")
    page.goto(page.url)
    page.goto(f"{person.base}/cases/1")
    assert "recorded a committee's supervision activity: " in page.inner_text("#timeline")
    assert "Special study" in page.inner_text("#timeline")
    person.shot("04-case-timeline-en")


def test_the_bulletin_page_in_chinese_and_english(db, org, cast):
    ids = build(db, org)
    person = cast["commission"]
    page = person.page
    for lang in ("zh", "en"):
        page.goto(f"{person.base}/lang/{lang}")
        page.goto(f"{person.base}/supervision/bulletin?session={ids['current']}")
        page.wait_for_selector("#bulletin-figures")
        fits = page.evaluate("() => { const t = document.querySelector('#bulletin-figures');"
                             " return t.scrollWidth <= t.parentElement.clientWidth; }")
        assert fits, lang
        # each column header on one or two lines at most
        heights = page.evaluate("() => [...document.querySelectorAll('#bulletin-figures th')]"
                                ".map(th => th.getBoundingClientRect().height)")
        assert max(heights) < 3 * min(heights), (lang, heights)
        person.shot(f"bulletin-{lang}")
    assert "percentage points" in page.inner_text("#bulletin-paragraph")
