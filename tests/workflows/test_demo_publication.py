"""The demo's publication of replies: a few published, one waiting for the commission."""
from __future__ import annotations

from sqlalchemy import func, select

from models import Publication
from workflows import demo, public_search, publication, redaction
from workflows.public_search import Filters


def test_the_demo_has_published_replies_and_one_waiting(db):
    with db.write() as session:
        demo.load(session)
    with db.session() as s:
        published = s.scalar(select(func.count()).select_from(Publication)
                             .where(Publication.status == "published"))
        [(reply, suggestion, _unit)] = publication.queue(s)
        found = {f.kind for f in redaction.detect(reply.answer_text)}
        results, total = public_search.search(s, "寄宿", Filters())
    assert published >= 3 and total == 1
    assert {"landline", "email"} <= found and suggestion.title == "关于完善农村客运站点布局的建议"
    assert "13907310001" not in results[0].public_text and "王建国" not in results[0].public_text
