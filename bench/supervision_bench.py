"""Supervision figures: the dashboard and the .xlsx ledger with 100,000 cases."""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select

from models import (Assignment, Consultation, Database, Deputy, Escalation, Feedback, Reply,
                    Suggestion, Unit)

from tests.support.data import PASSWORD, organisation, seed
from tests.support.server import Client, gunicorn

from .common import data_url, report
from .web_bench import FIELDS

CASES = 100_000
SATISFACTION = ["very_satisfied", "satisfied", "satisfied", "basically_satisfied", "dissatisfied"]


def supervision_database() -> Database:
    """100,000 assigned suggestions with replies, feedback and escalations; built once."""
    db = Database(data_url("supervision"))
    db.create_all()
    seed(db)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Suggestion)) == CASES:
            return db
    db.drop_all()
    db.create_all()
    seed(db)
    rng = random.Random(11)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with db.write() as s:
        congress = organisation(s)
        units = s.scalars(select(Unit.id).order_by(Unit.id)).all()
        deputies = [Deputy(name=f"代表{i}", electoral_unit="长沙市") for i in range(200)]
        s.add_all(deputies)
        s.flush()
        s.execute(insert(Suggestion), [dict(
            id=i, congress_session_id=congress.id, number=i, title=f"关于第{i}项工作的建议", body="建议内容",
            field=FIELDS[i % len(FIELDS)], year=2026, lead_deputy_id=deputies[i % 200].id,
            status=rng.choice(["handling", "replied", "closed"]), mode="lead_co",
            key_suggestion=i % 50 == 0, registered_at=start, assigned_at=start)
            for i in range(1, CASES + 1)])
        assignments, replies, feedback, consultations, escalations = [], [], [], [], []
        next_id = 1
        for i in range(1, CASES + 1):
            due = start + timedelta(days=90)
            for role in ("lead", "co") if i % 2 else ("lead",):
                a_id, next_id = next_id, next_id + 1
                unit = units[(i * 7 + (role == "co")) % len(units)]
                replied = role == "lead" and rng.random() < 0.8
                issued = due - timedelta(days=rng.randint(-20, 60))
                answer = rng.choice("AABCD")
                rating = rng.choice(SATISFACTION) if replied and rng.random() < 0.85 else None
                consulted = rng.random() < 0.75
                assignments.append(dict(
                    id=a_id, suggestion_id=i, unit_id=unit, role=role,
                    status="replied" if replied else "acknowledged", assigned_at=start,
                    ack_due=start + timedelta(days=14), reply_due=due, co_division_ids=[],
                    replied_at=issued if replied else None,
                    on_time=issued <= due if replied else None, consulted=consulted,
                    answer_class=answer if replied else None, satisfaction=rating))
                if replied:
                    replies.append(dict(assignment_id=a_id, round=1,
                                        answer_class=answer, doc_number="函",
                                        answer_text="答复", contact_person="刘", contact_phone="1",
                                        copy_to=[], publish=True, issued_by="bench",
                                        issued_at=issued, on_time=issued <= due))
                    if rating:
                        feedback.append(dict(assignment_id=a_id, round=1, satisfaction=rating,
                                             comment="", given_by="bench", given_at=due))
                if consulted:
                    consultations.append(dict(assignment_id=a_id, held_on="2026-04-01",
                                              form="face_to_face", participants="", deputy_view="",
                                              recorded_by="bench", recorded_at=start))
                if rng.random() < 0.03:
                    escalations.append(dict(suggestion_id=i, assignment_id=a_id,
                                            level=rng.choice(["supervision", "high_level"]),
                                            reason="逾期未答复", raised_by="scheduler",
                                            raised_at=due, detail={}))
        for model, batch in ((Assignment, assignments), (Reply, replies), (Feedback, feedback),
                             (Consultation, consultations), (Escalation, escalations)):
            for part in range(0, len(batch), 50_000):
                s.execute(insert(model), batch[part:part + 50_000])
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return db


def main() -> None:
    db = supervision_database()
    url = db.url.render_as_string(hide_password=False)
    db.dispose()
    with gunicorn(url, workers=2) as port:
        client = Client(port)
        client.login("commission", PASSWORD)
        client.request("GET", "/supervision")
        samples = []
        for _ in range(10):
            began = time.perf_counter()
            status, _ = client.request("GET", "/supervision")
            samples.append((time.perf_counter() - began) * 1000)
            assert status == 200, status
        report("dashboard_100k_ms", statistics.median(samples), "ms")
        began = time.perf_counter()
        status, body = client.request("GET", "/supervision/ledger.xlsx")
        assert status == 200 and body[:2] == b"PK", status
        report("ledger_100k_s", time.perf_counter() - began, "s")
        report("ledger_100k_bytes", len(body), "bytes")


if __name__ == "__main__":
    main()
