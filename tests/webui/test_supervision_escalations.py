"""The supervision page shows escalations open and resolved, and the time to resolution."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import Assignment

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_supervisors_see_open_and_resolved_escalations_and_time_to_resolution(
        login_as, db, domain_engine, org, clock):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)  # overdue, then replied three days later: resolved
    cases.drive(case, stop_at={"draft_reply"})
    due = cases.read(lambda s: s.scalars(select(Assignment.reply_due)
                                         .where(Assignment.suggestion_id == sid)).one())
    clock.now = due + timedelta(hours=1)
    cases.fire()
    _sid2, case2 = cases.new({**SOLE, "lead_unit": "education"}, title="关于乡村教师待遇的建议")
    cases.drive(case2, stop_at={"supervise_meeting"}, answers={  # twice dissatisfied: open
        "feedback": {"satisfaction": "dissatisfied", "comment": "不满意"},
        "feedback_again": {"satisfaction": "dissatisfied", "comment": "仍不满意"}})
    clock.now = due + timedelta(days=3, hours=1)
    cases.drive(case, stop_at={"feedback"})

    html = login_as("commission").get("/supervision").get_data(as_text=True)
    summary = html[html.index('id="escalation-summary"'):html.index('id="resolved-escalations"')]
    assert re.search(r'open-escalations">1<', summary)  # 两次不满意 awaits the meeting
    assert re.search(r'resolved-escalations">1<', summary)  # 逾期未答复 ended by the reply
    assert "3.0天" in summary  # time to resolution
    resolved = html[html.index('id="resolved-escalations"'):]
    resolved = resolved[:resolved.index("</ul>")]
    assert "逾期未答复" in resolved and "transport_signer" in resolved and "用时3.0天" in resolved
    english = login_as("commission")
    english.get("/lang/en")
    page = english.get("/supervision").get_data(as_text=True)
    assert "Mean time to resolution" in page and "Recently resolved" in page
