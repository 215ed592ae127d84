"""The supervision page shows 首次反馈满意率 beside the final 满意率."""
from __future__ import annotations

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_the_supervision_page_shows_both_rates(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)  # 不满意 first, very satisfied after re-handling
    cases.drive(case, answers={"feedback": {"satisfaction": "dissatisfied", "comment": "未解决"},
                               "feedback_again": {"satisfaction": "very_satisfied",
                                                  "comment": ""}})
    _sid2, case2 = cases.new(SOLE, title="关于公交线路的建议")
    cases.drive(case2)  # satisfied in the first round
    html = login_as("commission").get("/supervision").get_data(as_text=True)
    assert "首次反馈满意率" in html
    lead = html[html.index('id="lead-figures"'):]
    lead = lead[:lead.index("</table>")]
    assert 'class="first-satisfaction">50.0%<' in lead and "100.0%" in lead
