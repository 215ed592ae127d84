"""A task of a role in any unit (lane rule `role` on a unit-bound role: 文件会签's 财务处 →
reviewer) is in the queue of every unit's reviewer, counted in their tab, and gone from all of
them once one does it; a unit member's queue without such tasks stays as it was."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import HumanTask, User
from workflows import designer, tasks

from .. import spiffarena_models as models
from ..conftest import START


def _queue(client) -> tuple[str, int]:
    page = client.get("/inbox?queue=queue").get_data(as_text=True)
    count = re.search(r'id="tab-queue">[^<]*<span class="count">(\d+)</span>', page)
    return page.split("<tbody>", 1)[1], int(count.group(1))


def test_a_task_of_a_role_in_any_unit_is_in_every_units_queue_until_one_does_it(
        db, domain_engine, org, login_as):
    with db.write() as s:
        models.set_rules(s, "parallel_review", START)
        designer.deploy(s, domain_engine, models.files("parallel-review"), "designer")
    reviewers = {code: login_as(f"{code}_reviewer") for code in ("transport", "finance")}
    before = {code: _queue(client) for code, client in reviewers.items()}
    with db.write() as s:
        case = domain_engine.start(s, "parallel_review", {}, actor="transport_unit_handler")
        starter = s.scalar(select(User).where(User.username == "transport_unit_handler"))
        [submit] = [t for t in s.scalars(select(HumanTask).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == "ready"))]
        tasks.complete(s, domain_engine, starter, submit.id, {"title": "采购方案", "amount": 9})
        review = s.scalar(select(HumanTask).where(HumanTask.instance_id == case.instance_id,
                                                  HumanTask.bpmn_id == "finance_check"))
    assert (review.candidate_role, review.candidate_unit) == ("reviewer", None)
    for code, client in reviewers.items():
        rows, count = _queue(client)
        assert review.id in rows, code
        assert count == before[code][1] + 1, code
    finance = reviewers["finance"]
    finance.get(f"/tasks/{review.id}")
    assert finance.post(f"/tasks/{review.id}", {"_action": "complete"}).status_code == 302
    for code, client in reviewers.items():
        rows, count = _queue(client)
        assert review.id not in rows and count == before[code][1], code
    # The other reviewer, too late, is told (the task is done), not given it.
    late = reviewers["transport"].post(f"/tasks/{review.id}", {"_action": "complete"})
    assert late.status_code in (302, 409)
    with db.session() as s:
        assert s.get(HumanTask, review.id).completed_by == "finance_reviewer"
