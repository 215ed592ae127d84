"""Every code the operators store is in the vocabulary (models.vocabulary): the demo province
runs cases to every stage through the real processes, and each code column it fills holds only
codes the vocabulary names (so the ledger, statistics and pages can show them in both languages).
"""
from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select

from models import (Assignment, Consultation, Escalation, Feedback, Notification,
                    ProcessInstance, ProgressReport, Reply, Suggestion, User, vocabulary)
from workflows import demo

COLUMNS = [
    (Suggestion.status, vocabulary.SUGGESTION_STATUSES),
    (Suggestion.mode, vocabulary.MODES),
    (Assignment.role, vocabulary.ASSIGNMENT_ROLES),
    (Assignment.status, vocabulary.ASSIGNMENT_STATUSES),
    (Assignment.answer_class, vocabulary.ANSWER_CLASSES),
    (Assignment.satisfaction, vocabulary.SATISFACTION),
    (Reply.answer_class, vocabulary.ANSWER_CLASSES),
    (Feedback.satisfaction, vocabulary.SATISFACTION),
    (Consultation.form, vocabulary.CONSULTATION_FORMS),
    (ProgressReport.period, vocabulary.REPORT_PERIODS),
    (Escalation.level, vocabulary.ESCALATION_LEVELS),
    (User.role, vocabulary.ROLES),
    (ProcessInstance.status, vocabulary.INSTANCE_STATES),
    (Notification.kind, vocabulary.NOTIFICATION_KINDS),
]


def test_every_stored_code_is_in_the_vocabulary(db):
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        for column, codes in COLUMNS:
            stored = set(session.scalars(select(column).distinct())) - {None}
            assert stored, column  # the demo fills every one of these columns
            assert stored <= set(codes.codes), (column, stored - set(codes.codes))


def test_every_notification_kind_the_code_sends_has_a_label():
    """The notices' tag shows the kind's label: a kind sent anywhere (a literal third argument
    of `notify`) without a vocabulary entry would show as a bare code."""
    root = Path(__file__).resolve().parents[2] / "workflows"
    sent = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "notify"
                    and len(node.args) >= 3):
                kinds = [node.args[2]]
                if isinstance(node.args[2], ast.IfExp):
                    kinds = [node.args[2].body, node.args[2].orelse]
                sent |= {k.value for k in kinds if isinstance(k, ast.Constant)}
    assert {"progress_report", "reply", "reminder", "escalation", "task"} <= sent
    assert sent <= set(vocabulary.NOTIFICATION_KINDS.codes), sent
