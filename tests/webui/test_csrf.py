"""Every form is protected by a CSRF token: a post without one is refused and changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from models import HumanTask, Suggestion

from ..workflows.helpers import Cases


def test_posts_without_a_token_are_refused(login_as, client, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False})
    [task] = cases.tasks(case)["acknowledge"]
    assert client.post("/login", {"username": "commission", "password": "pw"},
                       csrf=False).status_code == 400
    handler = login_as("transport_unit_handler")
    commission = login_as("commission")
    for c, url, data in [
        (handler, f"/tasks/{task.id}", {"action": "complete", "decision": "acknowledge"}),
        (handler, f"/tasks/{task.id}/claim", {}),
        (handler, "/notifications/read", {}),
        (handler, "/logout", {}),
        (commission, "/register", {"number": "99", "title": "t", "field": "f", "lead_deputy": "1"}),
        (handler, "/password", {"current": "pw", "new": "0123456789x", "confirm": "0123456789x"}),
    ]:
        response = c.post(url, data, csrf=False)
        assert response.status_code == 400, url
        assert "表单已过期或无效" in response.get_data(as_text=True)
    with db.session() as s:
        assert s.get(HumanTask, task.id).state == "ready"
        assert s.scalar(select(Suggestion).where(Suggestion.number == 99)) is None
    assert handler.post(f"/tasks/{task.id}/claim", {}).status_code == 302  # with a token: fine
