"""Each handling mode from registration through the letter and the deputy's feedback, in
Chromium, each step done through the web UI by the person whose task it is: 独办 (sole),
主办+会办 (lead and three co-units), 分办 (separate handling by three units)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Assignment, Feedback, Suggestion, Unit

from .helpers import (UNIT_NAMES, acknowledge, approve, co_acknowledge_and_opinion,
                      distribute_and_consult, download_letters, draft_reply, rate, reply)

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

POINTS = ["一、已将建议纳入年度工作计划。", "二、已安排专项资金推进落实。"]


def _suggestion(db, title):
    with db.session() as s:
        return s.scalar(select(Suggestion.id).where(Suggestion.title == title))


def _assigned(db, sid):
    with db.session() as s:
        return s.execute(select(Assignment.role, Unit.code).join(Unit).where(
            Assignment.suggestion_id == sid).order_by(Assignment.id)).all()


def _ratings(db, sid):
    with db.session() as s:
        return sorted(s.execute(select(Unit.code, Feedback.satisfaction)
                                .join(Assignment, Feedback.assignment_id == Assignment.id)
                                .join(Unit).where(Assignment.suggestion_id == sid)).all())


def _closed(cast, sid, letters):
    deputy = cast["dep_1"]
    names = download_letters(deputy, sid)
    assert deputy.page.inner_text("#case-status") == "已办结"
    assert len(names) == letters and all(n.endswith(".docx") for n in names)
    deputy.shot("99-closed")


def test_sole_handling(cast, db):
    title = "关于完善农村客运网络的建议"
    commission = cast["commission"]
    commission.register(title, "建议推进城乡客运一体化。")
    commission.assign("sole", lead_unit="transport", shot="01-assign-sole")
    sid = _suggestion(db, title)
    assert _assigned(db, sid) == [("sole", "transport")]
    acknowledge(cast, "transport", title)
    reply(cast, "transport", title, "湘交函〔2026〕21号", POINTS, shot="02")
    rate(cast, "dep_1", title, [("代表反馈", "transport", "satisfied")], shot="03-feedback")
    assert _ratings(db, sid) == [("transport", "satisfied")]
    _closed(cast, sid, letters=1)


def test_lead_and_three_co_units(cast, db):
    title = "关于加强流域综合治理的建议"
    co_units = ["finance", "education", "water"]  # as the form lists them
    commission = cast["commission"]
    commission.register(title, "建议统筹资金、水利和科普教育，系统治理流域。", field="水利")
    commission.assign("lead_co", lead_unit="transport", co_units=co_units,
                      shot="01-assign-lead-co")
    sid = _suggestion(db, title)
    assert _assigned(db, sid) == [("lead", "transport")] + [("co", c) for c in co_units]
    acknowledge(cast, "transport", title)
    distribute_and_consult(cast, "transport", title)
    for unit in co_units:
        co_acknowledge_and_opinion(cast, unit, title, f"{UNIT_NAMES[unit]}同意主办单位意见，配合推进。")
    lead = cast["transport_unit_handler"]
    lead.open_task("答复拟稿", title=title)
    opinions = lead.page.inner_text("aside")
    assert all(f"{UNIT_NAMES[u]}同意主办单位意见" in opinions for u in co_units)
    lead.shot("02-draft-with-co-opinions")
    draft_reply(cast, "transport", title, "湘交函〔2026〕22号",
                POINTS + ["三、已吸收财政、水利、教育部门的会办意见。"])
    approve(cast, "transport", title, "湘交函〔2026〕22号", shot="03")
    rate(cast, "dep_1", title, [("代表反馈", "transport", "very_satisfied"),
                                ("评价会办单位", "finance", "satisfied"),
                                ("评价会办单位", "water", "basically_satisfied"),
                                ("评价会办单位", "education", "satisfied")], shot="04-rate")
    assert _ratings(db, sid) == [("education", "satisfied"), ("finance", "satisfied"),
                                 ("transport", "very_satisfied"),
                                 ("water", "basically_satisfied")]
    _closed(cast, sid, letters=1)


def test_separate_handling_by_three_units(cast, db):
    title = "关于推进校园周边综合整治的建议"
    units = ["transport", "finance", "education"]  # as the form lists them
    commission = cast["commission"]
    commission.register(title, "建议教育、交通、财政部门各自落实校园周边整治。", field="教育")
    commission.assign("separate", units=units, shot="01-assign-separate")
    sid = _suggestion(db, title)
    assert _assigned(db, sid) == [("separate", u) for u in units]
    for n, unit in enumerate(units, start=30):
        acknowledge(cast, unit, title)
        reply(cast, unit, title, f"湘函〔2026〕{n}号", [f"一、{UNIT_NAMES[unit]}已落实本单位职责。"],
              shot=f"02-{unit}")
    rate(cast, "dep_1", title, [("代表反馈", "education", "very_satisfied"),
                                ("代表反馈", "transport", "satisfied"),
                                ("代表反馈", "finance", "basically_satisfied")], shot="03-rate")
    assert _ratings(db, sid) == [("education", "very_satisfied"),
                                 ("finance", "basically_satisfied"), ("transport", "satisfied")]
    _closed(cast, sid, letters=3)
