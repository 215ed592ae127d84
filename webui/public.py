"""办理结果公开查询: the public page of published replies, for anyone, without login.

GET only (no form posts, so no CSRF token); every parameter is checked (webui/params.py) and an
over-long or malformed query is refused politely on the page itself. It shows a reply's public
text and its suggestion's title, number, session, lead unit and answer class — never a deputy,
a contact person or a phone number of the records.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from models import Unit, vocabulary
from workflows import congress_sessions, public_search
from workflows.public_search import Filters

from . import db, params
from .i18n import label

bp = Blueprint("public", __name__, url_prefix="/public")
PUBLIC_ENDPOINTS = frozenset({"public.index"})  # the pages anyone may read (tests check this)


@bp.get("")
def index():
    """Anyone: search the published replies by words, session, unit and field."""
    args = request.args
    query = params.text(args, "q", limit=1000)  # longer than MAX_QUERY: refused on the page
    field = params.one_of(args, "field", vocabulary.FIELDS)
    filters = Filters(congress_session_id=params.integer(args, "session"),
                      unit_id=params.integer(args, "unit"), field=field or None)
    page = params.integer(args, "page", maximum=public_search.MAX_PAGE, default=1)
    s = db.session()
    problem = public_search.query_problem(query)
    results, total = ([], 0) if problem else public_search.search(s, query, filters, page)
    pages = max(1, -(-total // public_search.PAGE_SIZE))
    return render_template(
        "public/index.html", query=query, filters=filters, page=page, pages=pages, total=total,
        results=results, problem=label(problem) if problem else None,
        sessions=congress_sessions.newest_first(s),
        units=s.scalars(select(Unit).order_by(Unit.id)).all(), fields=vocabulary.FIELDS,
        answer_classes=vocabulary.ANSWER_CLASSES), 400 if problem else 200
