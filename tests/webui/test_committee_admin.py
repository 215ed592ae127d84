"""专门委员会 in the organisation administration: adding a committee, its name and fields, its
members — audited, what was typed kept on a refusal, hostile parameters refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Committee, CongressSession, Deputy, User
from workflows.suggestions import register
from workflows.users import create_user


@pytest.fixture
def admin(db, org, login_as):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
        create_user(s, "cm_a", "委员甲", "committee", "pw")
        create_user(s, "cm_b", "委员乙", "committee", "pw")
    return login_as("admin")


def _one(db, model, **where):
    with db.session() as s:
        row = s.scalar(select(model).filter_by(**where))
        if isinstance(row, Committee):
            row.field_codes  # loaded while the session is open
        return row


def _audit(db, action):
    with db.session() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                            .order_by(AuditEvent.id))]


def _add(admin, name="财政经济委员会", fields=("社保", "农业")):
    return admin.post("/admin/committees", {"name": name, "fields": list(fields)})


def test_create_edit_and_list(admin, db):
    listing = admin.get("/admin/committees").get_data(as_text=True)
    assert 'id="committees-tab"' in listing and 'value="交通"' in listing
    response = _add(admin)
    assert response.status_code == 302
    committee = _one(db, Committee, name="财政经济委员会")
    assert sorted(committee.field_codes) == ["农业", "社保"]
    assert _audit(db, "committee_created") == [{"committee": "财政经济委员会",
                                                 "fields": ["农业", "社保"]}]
    page = admin.get(f"/admin/committees/{committee.id}").get_data(as_text=True)
    assert 'value="农业" checked' in page and 'value="交通" checked' not in page
    response = admin.post(f"/admin/committees/{committee.id}",
                          {"name": "财经委", "fields": ["交通", "农业"]})
    assert response.status_code == 302
    assert sorted(_one(db, Committee, id=committee.id).field_codes) == ["交通", "农业"]
    [change] = _audit(db, "committee_changed")
    assert change["before"]["name"] == "财政经济委员会" and change["after"] == {
        "name": "财经委", "fields": ["交通", "农业"]}
    admin.post(f"/admin/committees/{committee.id}", {"name": "财经委", "fields": ["农业", "交通"]})
    assert len(_audit(db, "committee_changed")) == 1  # nothing changed: nothing audited
    listing = admin.get("/admin/committees?q=财经").get_data(as_text=True)
    assert "财经委" in listing and "交通" in listing


@pytest.mark.parametrize("name, fields, field, message", [
    ("", ["交通"], "name", "必填"),
    ("委" * 65, ["交通"], "name", "64"),
    ("好名字", [], "fields", "至少选择一个领域"),
    ("好名字", ["交通", "<script>"], "fields", "请从列表中选择"),
])
def test_a_refused_committee_keeps_what_was_typed(admin, db, name, fields, field, message):
    response = _add(admin, name, fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html, html[-2000:]
    assert f'id="error-{field}"' in html and "<script>" not in html.split("<main>")[1]
    assert f'value="{name[:1000]}"' in html
    if "交通" in fields:
        assert 'value="交通" checked' in html
    with db.session() as s:
        assert s.scalars(select(Committee)).all() == []


def test_a_name_twice_and_a_rename_of_a_named_committee_are_refused(admin, db, org,
                                                                    domain_engine):
    _add(admin, "教科文卫委员会", ["教育"])
    response = _add(admin, "教科文卫委员会", ["医疗"])
    assert response.status_code == 400 and "已有同名专门委员会" in response.get_data(as_text=True)
    committee = _one(db, Committee, name="教科文卫委员会")
    with db.write() as s:  # a suggestion was assigned to it by name
        suggestion = register(
            s, domain_engine, congress_session=s.get(CongressSession, org.congress_session_id),
            number=7, title="关于学校的建议", body="正文", field="交通",
            lead_deputy=s.get(Deputy, org.deputies["李强"]), actor="commission")
        suggestion.special_committee = "教科文卫委员会"
    response = admin.post(f"/admin/committees/{committee.id}", {"name": "教科委",
                                                                "fields": ["教育"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "不能改名" in html and 'value="教科委"' in html
    assert admin.post(f"/admin/committees/{committee.id}",  # its fields may still change
                      {"name": "教科文卫委员会", "fields": ["医疗"]}).status_code == 302


def test_members_are_added_moved_and_removed_audited(admin, db):
    _add(admin, "甲委", ["交通"])
    _add(admin, "乙委", ["教育"])
    first, second = _one(db, Committee, name="甲委").id, _one(db, Committee, name="乙委").id
    cm_a = _one(db, User, username="cm_a").id
    page = admin.get(f"/admin/committees/{first}").get_data(as_text=True)
    assert f'<option value="{cm_a}">cm_a' in page
    assert "dep_1" not in page.split('id="member-user"')[1].split("</select>")[0]
    assert admin.post(f"/admin/committees/{first}/members", {"user_id": cm_a}).status_code == 302
    assert _one(db, User, id=cm_a).committee_id == first
    page = admin.get(f"/admin/committees/{second}").get_data(as_text=True)
    assert "现属 甲委" in page
    admin.post(f"/admin/committees/{second}/members", {"user_id": cm_a})  # moved
    assert _one(db, User, id=cm_a).committee_id == second
    # taking them out of the committee they are no longer in is refused
    response = admin.post(f"/admin/committees/{first}/members/{cm_a}/remove", {})
    assert response.status_code == 302 and _one(db, User, id=cm_a).committee_id == second
    assert "不是本委员会成员" in admin.get(response.headers["Location"]).get_data(as_text=True)
    admin.post(f"/admin/committees/{second}/members/{cm_a}/remove", {})
    assert _one(db, User, id=cm_a).committee_id is None
    assert [(d["from"], d["to"]) for d in _audit(db, "committee_member")] == [
        (None, first), (first, second), (second, None)]


def test_hostile_parameters(admin, db):
    _add(admin, "甲委", ["交通"])
    committee = _one(db, Committee, name="甲委").id
    dep = _one(db, User, username="dep_1").id
    for url in ("/admin/committees/99999999999", "/admin/committees/0",
                "/admin/committees/4242"):
        assert admin.get(url).status_code == 404
        assert admin.post(url, {"name": "x", "fields": ["交通"]}).status_code == 404
        assert admin.post(url + "/members", {"user_id": dep}).status_code == 404
    assert admin.get("/admin/committees/abc").status_code == 404
    for value in (str(dep), "abc", "-1", "9" * 30, "", "4242"):  # not a committee account
        response = admin.post(f"/admin/committees/{committee}/members", {"user_id": value})
        assert response.status_code == 400, value
        assert 'id="error-member"' in response.get_data(as_text=True)
    assert admin.post(f"/admin/committees/{committee}/members/99999999999/remove",
                      {}).status_code == 404
    assert admin.post(f"/admin/committees/{committee}/members/4242/remove",
                      {}).status_code == 404
    assert admin.post(f"/admin/committees/{committee}/members/{dep}/remove",
                      {}).status_code == 302
    assert _one(db, User, id=dep).committee_id is None
    many = admin.post("/admin/committees", {"name": "乙委", "fields": ["交通"] * 5000})
    assert many.status_code == 302 and _one(db, Committee, name="乙委").field_codes == ["交通"]
    assert admin.get("/admin/committees?q=" + "x" * 65).status_code == 400
    assert _audit(db, "committee_member") == []


def test_the_pages_speak_english(admin, client):
    client = admin
    client.get("/lang/en")
    html = client.get("/admin/committees").get_data(as_text=True)
    assert "Special committees" in html and "Transport" in html
