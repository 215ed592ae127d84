"""The publication pages: the commission's review and the public page without login."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Publication, Reply
from webui.public import PUBLIC_ENDPOINTS
from workflows import simulate

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
TEXT = "一、城际铁路已纳入规划。\n二、经办人李强，手机13812345678。"
# Pages anyone may read without logging in: the login page, the language switch, the health
# check, static files and the public page. Every other route sends a visitor to log in.
# Without login: logging in, the language, health, static files, the public page, and the
# one-time password link (its token is the credential; tests/webui/test_people.py).
ANONYMOUS = {"auth.login", "set_language", "healthz", "static",
             "password_links.open_link"} | PUBLIC_ENDPOINTS


@pytest.fixture
def replies(db, domain_engine, org):
    """Two replied cases: one marked for publication with a phone number, one not."""
    cases = Cases(db, domain_engine, org)
    found = []
    for title, publish in (("关于加快城际铁路建设的建议", True), ("关于内部事务的建议", False)):
        _sid, case = cases.new(SOLE, title=title)
        draft = {**simulate.DRAFT, "answer_text": TEXT, "publish": publish, "action": "submit"}
        cases.drive(case, stop_at={"feedback"}, answers={"draft_reply": draft})
        with db.session() as s:
            found.append(s.scalars(select(Reply.id).order_by(Reply.id.desc())).first())
    return found


def test_review_highlights_then_the_public_page_shows_the_masked_text(replies, login_as, client):
    shown, hidden = replies
    commission = login_as("commission")
    queue = commission.get("/publication").get_data(as_text=True)
    assert f"/publication/replies/{shown}" in queue and f"/publication/replies/{hidden}" not in queue
    page = commission.get(f"/publication/replies/{shown}").get_data(as_text=True)
    assert '<mark class="pii pii-mobile"' in page and "13812345678</mark>" in page
    assert commission.get(f"/publication/replies/{hidden}").status_code == 404
    choices = page.count('name="mask"')
    response = commission.post(f"/publication/replies/{shown}", {
        "decision": "approve", "mask": [str(i) for i in range(choices)], "public_text": TEXT})
    assert response.status_code == 302
    html = client.get("/public?q=城际铁路").get_data(as_text=True)
    assert "关于加快城际铁路建设的建议" in html and "138******78" in html
    for secret in ("13812345678", "李强", simulate.DRAFT["contact_phone"],
                   simulate.DRAFT["contact_person"], "王芳"):
        assert secret not in html
    assert "关于内部事务的建议" not in client.get("/public").get_data(as_text=True)
    # withdrawn: gone from the public page
    assert commission.post(f"/publication/replies/{shown}", {
        "decision": "withdraw", "reason": "代表要求"}).status_code == 302
    assert "城际铁路" not in client.get("/public?q=城际").get_data(as_text=True)


def test_refusals_keep_what_was_typed(replies, login_as):
    shown, _hidden = replies
    commission = login_as("commission")
    commission.get(f"/publication/replies/{shown}")
    response = commission.post(f"/publication/replies/{shown}", {
        "decision": "withhold", "reason": "", "public_text": "我改过的文本"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "我改过的文本" in html and 'role="alert"' in html
    response = commission.post(f"/publication/replies/{shown}", {
        "decision": "approve", "public_text": "长" * 20_001, "reason": "留着的理由"})
    assert response.status_code == 400 and "留着的理由" in response.get_data(as_text=True)
    for bad in ({"decision": "publish_all"}, {"decision": "\x00"}, {}, {"decision": ""}):
        assert commission.post(f"/publication/replies/{shown}", bad).status_code == 400
    # hostile ticks are ignored, not an error
    assert commission.post(f"/publication/replies/{shown}", {
        "decision": "approve", "mask": ["abc", "-1", "99999999999999999999", "٣"]}
    ).status_code == 302
    for url in ("/publication/replies/0", "/publication/replies/99999999999",
                "/publication/replies/2147483647", "/publication/replies/abc"):
        assert commission.get(url).status_code == 404, url
        assert commission.post(url, {"decision": "approve"}).status_code == 404, url


@pytest.mark.parametrize("query", [
    "session=abc", "session=99999999999", "unit=-1", "unit=1.5", "field=不存在", "field=x" * 3,
    "page=0", "page=501", "page=%D9%A3", "q=%00", "q=" + "长" * 1001, "q=%E2%80%AE"])
def test_hostile_public_parameters_are_refused(client, replies, query):
    response = client.get(f"/public?{query}")
    assert response.status_code == 400, query


def test_over_long_and_too_short_queries_are_refused_politely(client, replies):
    typed = "城际铁路" * 11  # 44 characters: over the 40 a query may have
    response = client.get(f"/public?q={typed}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="query-problem"' in html and typed in html
    response = client.get("/public?q=城")
    assert response.status_code == 400 and "至少两个字" in response.get_data(as_text=True)
    client.get("/lang/en", headers={"Referer": "http://localhost/public"})
    assert "at most 40 characters" in client.get(f"/public?q={typed}").get_data(as_text=True)


def test_english_without_login(client, replies):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/public"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/public")
    html = client.get("/public").get_data(as_text=True)
    assert "Published replies to deputies" in html and "Transport" in html
    assert "代表建议办理结果公开" not in html
    assert "/public" in client.get("/login").get_data(as_text=True)  # linked from the login


def test_every_other_page_still_requires_login(app, client, db, replies):
    client.get("/login")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ANONYMOUS:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "x")
            url = url.replace(f"<path:{argument}>", "x")
        if "GET" in rule.methods:
            response = client.http.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        if "POST" in rule.methods:
            response = client.post(url, {})
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
    with db.session() as s:
        assert s.scalars(select(Publication)).all() == []
