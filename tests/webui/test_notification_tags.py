"""Every kind of notice shows its tag in the reader's language, never a bare code: the tag reads
the vocabulary (progress reports and replies to merged suggestions had lost theirs when the step
table went away)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from models import Notification, vocabulary

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _tags(page: str) -> list[str]:
    return re.findall(r'<span class="tag">([^<]*)</span>', page)


def test_each_notification_kind_is_tagged_in_both_languages(db, login_as):
    kinds = vocabulary.NOTIFICATION_KINDS.codes
    with db.write() as s:
        s.add_all(Notification(username="transport_unit_handler", kind=kind, message=f"通知 {kind}",
                               message_en=f"Notice {kind}", created_at=AT) for kind in kinds)
    handler = login_as("transport_unit_handler")
    chinese = _tags(handler.get("/notifications").get_data(as_text=True))
    assert sorted(chinese) == sorted(vocabulary.NOTIFICATION_KINDS[k].zh for k in kinds)
    handler.get("/lang/en")
    english = _tags(handler.get("/notifications").get_data(as_text=True))
    assert sorted(english) == sorted(vocabulary.NOTIFICATION_KINDS[k].en for k in kinds)
    assert not set(kinds) & set(chinese + english)

