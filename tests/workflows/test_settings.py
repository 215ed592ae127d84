"""Time-limit settings: domain defaults until an administrator changes them."""
from __future__ import annotations

import pytest

from models import Setting
from workflows import settings


def test_defaults(db):
    with db.session() as session:
        assert settings.get(session, "reply_months") == 3
        assert settings.get(session, "long_overdue_workdays") == 15
        assert settings.all_settings(session) == {
            "return_window_workdays": 10,
            "reply_months": 3,
            "extended_reply_months": 6,
            "co_opinion_months": 1,
            "rehandle_months": 1,
            "reminder_days_before": 10,
            "long_overdue_workdays": 15,
            "midyear_report_date": 630,
            "november_report_date": 1130,
        }


def test_an_administrator_value_overrides_the_default(db):
    with db.write() as session:
        settings.set_value(session, "reply_months", 4)
    with db.session() as session:
        assert settings.get(session, "reply_months") == 4
        values = settings.all_settings(session)
    assert values["reply_months"] == 4
    assert {k: v for k, v in values.items() if k != "reply_months"} == {
        k: v for k, v in settings.DEFAULTS.items() if k != "reply_months"}

    with db.write() as session:  # changing it again updates the same row
        settings.set_value(session, "reply_months", 5)
    with db.session() as session:
        assert settings.get(session, "reply_months") == 5
        assert session.query(Setting).count() == 1


def test_unknown_key(db):
    with db.write() as session:
        with pytest.raises(KeyError, match="reply_weeks"):
            settings.get(session, "reply_weeks")
        with pytest.raises(KeyError, match="unknown time-limit setting"):
            settings.set_value(session, "reply_weeks", 2)


@pytest.mark.parametrize("value", [0, -1, 2.5, "3", None, True])
def test_invalid_value(db, value):
    with db.write() as session:
        with pytest.raises(ValueError, match="positive whole number"):
            settings.set_value(session, "reply_months", value)
    with db.session() as session:
        assert session.get(Setting, "reply_months") is None
        assert settings.get(session, "reply_months") == 3
