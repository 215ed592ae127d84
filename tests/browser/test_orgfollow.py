"""The administrator's header and home (管理), the committees tab (专门委员会), and file fields
that speak our language (选择文件 + the chosen name, never Chromium's "Choose File")."""
from __future__ import annotations

import pytest

from workflows.users import create_user

from ..workflows.organisation_books import book
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _header_fits(page) -> bool:
    """The header's links on one line: the nav is no taller than one of its links (+ padding)."""
    return page.evaluate("() => { const nav = document.querySelector('header.top nav');"
                         " const a = nav.querySelector('a');"
                         " return nav.getBoundingClientRect().height"
                         " < 2 * a.getBoundingClientRect().height; }")


@pytest.mark.parametrize("user", ["admin", "commission"])
def test_the_header_fits_at_1280_in_both_languages(server, browser, shots, db, user):
    if user == "admin":
        with db.write() as s:
            create_user(s, "admin", "管理员", "admin", "pw")
    person = Person(browser, server, user, shots)
    page = person.page
    page.set_viewport_size({"width": 1280, "height": 800})
    for lang in ("zh", "en"):
        page.goto(f"{server}/lang/{lang}")
        page.goto(f"{server}/inbox")
        assert _header_fits(page), (user, lang)
        if user == "admin":  # and the whole header on one line: name, password, log out too
            assert page.locator("header.top").bounding_box()["height"] < 60, lang
        assert page.locator("#admin-link").count() == (user == "admin")
        person.shot(f"header-{user}-{lang}")
    page.goto(f"{server}/lang/zh")


def _no_english_file_button(page, field_id, name_id):
    assert "Choose File" not in page.inner_text("body")
    assert "No file chosen" not in page.inner_text("body")
    assert page.locator(f"label[for={field_id}].file-pick").inner_text() == "选择文件"
    assert page.locator(f"#{field_id}").bounding_box()["width"] <= 1  # the native one hidden
    assert page.inner_text(f"#{name_id}") == "未选择文件"


def test_admin_home_committees_and_the_import_file_field(server, browser, shots, db, tmp_path):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
        create_user(s, "cm_a", "委员甲", "committee", "pw")
    admin = Person(browser, server, "admin", shots)
    page = admin.page
    page.click("#admin-link")
    page.wait_for_selector("#admin-pages")
    admin.shot("01-admin-home")
    page.click("#org-link")
    page.click("#committees-tab")
    page.wait_for_selector("#records")
    page.check("#add input[value=交通]")
    page.check("#add input[value=教育]")
    page.click("#add button[type=submit]")  # no name: refused, the fields stay checked
    page.wait_for_selector("#error-name")
    assert page.is_checked("#add input[value=交通]") and page.is_checked("#add input[value=教育]")
    admin.shot("02-committee-refused")
    page.fill("#f-name", "教科文卫委员会")
    page.click("#add button[type=submit]")
    page.wait_for_selector("#members")
    page.select_option("#member-user", label="cm_a · 委员甲")
    page.click("#add-member button[type=submit]")
    page.wait_for_selector("#member-list tr[id^=member-]")
    assert "cm_a" in page.inner_text("#member-list")
    admin.shot("03-committee-members")

    page.click("#admin-tabs >> text=导入")
    page.wait_for_selector("#upload")
    _no_english_file_button(page, "file", "file-name")
    path = tmp_path / "组织机构.xlsx"
    path.write_bytes(book())
    page.set_input_files("#file", str(path))
    assert page.inner_text("#file-name") == "组织机构.xlsx"
    admin.shot("04-import-file-chosen")
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#confirm")
    admin.shot("05-import-checked")
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("#records")
    assert "省委组织部" in page.inner_text("#records")


def test_the_assignment_table_file_field(server, browser, shots, tmp_path):
    commission = Person(browser, server, "commission", shots)
    page = commission.page
    page.click("#import-link")
    page.wait_for_selector("#upload-form")
    _no_english_file_button(page, "table", "table-name")
    path = tmp_path / "交办表.xlsx"
    path.write_bytes(b"PK")
    page.set_input_files("#table", str(path))
    assert page.inner_text("#table-name") == "交办表.xlsx"
    commission.shot("assignment-table-file-chosen")
