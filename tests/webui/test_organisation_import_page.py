"""The organisation import from the web (upload → dry run → confirm) and from `jianyi people`."""
from __future__ import annotations

import copy
import io
import re

import pytest

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Database, Deputy, Unit, User
from webui.cli import main
from workflows.users import create_user

from ..workflows.organisation_books import UNITS, USERS, book


def _admin(db, login_as):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    return login_as("admin")


def _upload(client, data, name="org.xlsx"):
    return client.post("/admin/organisation/import", {"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm_fields(response) -> dict:
    page = response.get_data(as_text=True)
    return {k: re.search(rf'name="{k}" value="([^"]+)"', page).group(1)
            for k in ("token", "sha256")}


def _units(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Unit))


def test_upload_dry_run_then_confirm(db, org, login_as):
    admin = _admin(db, login_as)
    before = _units(db)
    data = book()
    response = admin.post("/admin/organisation/import",
                          {"file": (io.BytesIO(data), "org.xlsx")},
                          content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="count-units"' in page and "省委组织部" in page
    assert _units(db) == before  # the dry run wrote nothing
    fields = _confirm_fields(response)
    response = admin.post("/admin/organisation/import/confirm", fields)
    assert response.status_code == 302
    assert _units(db) == before + 3
    again = admin.post("/admin/organisation/import/confirm", fields)  # taken once
    assert again.status_code == 409 and "已失效" in again.get_data(as_text=True)
    assert _units(db) == before + 3


def test_errors_are_shown_by_cell_and_downloadable(db, org, login_as):
    admin = _admin(db, login_as)
    units = copy.deepcopy(UNITS)
    units[2][2] = "国企"
    data = book(单位=units)
    response = admin.post("/admin/organisation/import",
                          {"file": (io.BytesIO(data), "org.xlsx")},
                          content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>单位</td><td>3</td><td>类别</td><td>国企</td>" in page
    assert 'id="confirm"' not in page and 'name="token"' not in page
    link = re.search(r'href="(/admin/organisation/report/[^"]+\.xlsx)"', page).group(1)
    report = admin.get(link)
    rows = list(load_workbook(io.BytesIO(report.data)).active.values)
    assert rows[0][:4] == ("工作表", "行号", "列", "值") and rows[1][:4] == ("单位", 3, "类别", "国企")
    assert admin.get(link).status_code == 200  # may be downloaded again
    with db.write() as s:
        create_user(s, "admin2", "管理员乙", "admin", "pw")
    assert login_as("admin2").get(link).status_code == 404  # another's report


def test_a_forged_or_missing_file_is_refused(db, org, login_as):
    admin = _admin(db, login_as)
    before = _units(db)
    assert admin.post("/admin/organisation/import", {}).status_code == 400
    assert "文件为空" in _upload(admin, b"").get_data(as_text=True)
    for form in ({}, {"token": "../../etc/passwd", "sha256": "x" * 10_000},
                 {"token": "x" * 43, "sha256": "0" * 64}, {"token": ["a", "b"]}):
        response = admin.post("/admin/organisation/import/confirm", form)
        assert response.status_code == 409 and "已失效" in response.get_data(as_text=True)
    for token in ("x" * 43, "../../etc/passwd", "%00"):
        assert admin.get(f"/admin/organisation/report/{token}.xlsx").status_code == 404
    assert _units(db) == before
    response = admin.post("/admin/organisation/import",
                          {"file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"), "a.xls")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and ".xls" in response.get_data(as_text=True)
    assert admin.get("/admin/organisation/template.xlsx").data[:2] == b"PK"


@pytest.mark.parametrize("change", ["token", "sha256", "foreign", "assignment_page"])
def test_a_foreign_or_tampered_confirmation_is_refused(db, org, login_as, change):
    admin = _admin(db, login_as)
    with db.write() as s:
        create_user(s, "admin2", "管理员乙", "admin", "pw")
    before = _units(db)
    fields = _confirm_fields(_upload(admin, book()))
    client = admin
    if change == "token":
        fields["token"] = fields["token"][:-1] + ("A" if fields["token"][-1] != "A" else "B")
    elif change == "sha256":
        fields["sha256"] = "0" * 64
    elif change == "foreign":
        client = login_as("admin2")
    else:  # a commission member confirming it on the assignment table's page: not theirs
        client = login_as("commission")
        response = client.post("/assignment-table/confirm", fields)
        assert response.status_code == 409 and _units(db) == before
        client = admin
        fields["token"] = fields["token"][::-1]
    if change != "assignment_page":
        response = client.post("/admin/organisation/import/confirm", fields)
        assert response.status_code == 409 and "已失效" in response.get_data(as_text=True)
        assert _units(db) == before
    if change in ("foreign", "assignment_page"):  # still the uploader's, once
        fields = fields if change == "foreign" else {**fields, "token": fields["token"][::-1]}
        assert admin.post("/admin/organisation/import/confirm", fields).status_code == 302
        assert _units(db) == before + 3


def test_a_row_that_no_longer_passes_at_confirmation_refuses_the_whole_file(db, org, login_as):
    admin = _admin(db, login_as)
    with db.write() as s:
        s.add(Deputy(name="孙七", electoral_unit="某市"))
    users = [USERS[0], ["sun7", "孙七", "代表", "", "", "孙七", "是"]]
    fields = _confirm_fields(_upload(admin, book(用户=users)))
    with db.write() as s:  # someone links another account to that deputy in the meantime
        other = create_user(s, "sun_other", "孙七", "deputy", "pw")
        other.deputy_id = s.scalar(select(Deputy.id).where(Deputy.name == "孙七"))
    response = admin.post("/admin/organisation/import/confirm", fields)
    assert response.status_code == 409 and 'id="errors"' in response.get_data(as_text=True)
    assert admin.post("/admin/organisation/import/confirm", fields).status_code == 409


def test_the_command_imports_or_dry_runs(tmp_path):
    runner, env = CliRunner(), {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    path = tmp_path / "org.xlsx"
    path.write_bytes(book())
    result = runner.invoke(main, ["people", "import", str(path), "--dry-run"], env=env)
    assert result.exit_code == 0 and "dry run" in result.output
    database = Database(env["DATABASE_URL"])
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 0
    result = runner.invoke(main, ["people", "import", str(path), "--by", "setup"], env=env)
    assert result.exit_code == 0, result.output
    users = copy.deepcopy(USERS)
    users[1][2] = "boss"
    path.write_bytes(book(用户=users))
    result = runner.invoke(main, ["people", "import", str(path),
                                  "--errors", str(tmp_path / "e.xlsx")], env=env)
    assert result.exit_code != 0 and "用户  row 2  角色" in result.output
    assert (tmp_path / "e.xlsx").read_bytes()[:2] == b"PK"
    result = runner.invoke(main, ["people", "link", "jt_li"], env=env)
    assert result.exit_code == 0 and result.output.startswith("/password-link/")
    with database.session() as s:
        assert s.scalar(select(User.must_change_password).where(User.username == "jt_li"))
    database.dispose()
