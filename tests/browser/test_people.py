"""An administrator sets up a unit and a user in a real browser; the user opens the one-time
link, chooses a password and lands in the inbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import User
from workflows.users import create_user

from ..workflows.organisation_books import book
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_admin_creates_a_unit_and_a_user_who_sets_a_password(server, browser, shots, db):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    admin = Person(browser, server, "admin", shots)
    page = admin.page
    page.click("#admin-link")
    page.click("#org-link")
    page.wait_for_selector("#records")
    page.fill("#f-code", "zzb")
    page.fill("#f-name", "省委组织部")
    page.select_option("#f-kind", "party_mass")
    admin.shot("units")
    page.click("#add button[type=submit]")
    page.wait_for_selector("#divisions")
    page.fill("#add-division input[name=name]", "干部处")
    page.click("#add-division button[type=submit]")
    page.wait_for_selector("#division-1, form[id^=division-]")
    admin.shot("unit")

    # a refused user form keeps what was typed
    page.goto(f"{server}/admin/users")
    page.fill("#f-username", "zzb_li")
    page.fill("#f-name", "李干部")
    page.select_option("#f-role", "unit_handler")
    page.click("#add button[type=submit]")
    page.wait_for_selector("#error-unit_id")
    assert page.input_value("#f-username") == "zzb_li" and page.input_value("#f-name") == "李干部"
    admin.shot("user-refused")
    page.select_option("#f-unit_id", label="省委组织部 (zzb)")
    page.select_option("#f-division_id", label="省委组织部 / 干部处")
    page.click("#add button[type=submit]")
    page.wait_for_selector("#one-time-link")
    admin.shot("one-time-link")
    link = page.input_value("#link")
    assert "/password-link/" in link

    newcomer = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    user_page = newcomer.new_page()
    user_page.goto(link)
    user_page.fill("#new", "short")
    user_page.fill("#confirm", "short")
    user_page.click("#set-password button[type=submit]")
    user_page.wait_for_selector(".has-error")
    user_page.fill("#new", "zzb-li-password")
    user_page.fill("#confirm", "zzb-li-password")
    user_page.screenshot(path=str(shots / "set-password.png"), full_page=True)
    user_page.click("#set-password button[type=submit]")
    user_page.wait_for_url(f"{server}/inbox")
    assert "李干部" in user_page.inner_text("header")
    user_page.screenshot(path=str(shots / "inbox.png"), full_page=True)
    newcomer.close()

    # the import's dry run names the refused cell
    units = [["代码", "名称", "类别"], ["dl", "省电力公司", "国企"]]
    path = shots / "org.xlsx"
    path.write_bytes(book(单位=units))
    page.goto(f"{server}/admin/organisation/import")
    page.set_input_files("#file", str(path))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#errors")
    assert "国企" in page.inner_text("#errors") and page.locator("#confirm").count() == 0
    admin.shot("import-errors")
    admin.context.close()
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "zzb_li"))
        assert user.unit.code == "zzb" and not user.must_change_password
