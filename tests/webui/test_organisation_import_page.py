"""The organisation import from the web (upload → dry run → confirm) and from `jianyi people`."""
from __future__ import annotations

import base64
import copy
import hashlib
import io
import re

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Database, Unit, User
from webui.cli import main
from workflows.users import create_user

from ..workflows.organisation_books import UNITS, USERS, book


def _admin(db, login_as):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    return login_as("admin")


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
    workbook = re.search(r'name="workbook" value="([^"]+)"', page).group(1)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    response = admin.post("/admin/organisation/import", {"workbook": workbook, "digest": digest,
                                                         "confirm": "1"})
    assert response.status_code == 302
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
    assert 'id="confirm"' not in page
    encoded = base64.b64encode(data).decode()
    report = admin.post("/admin/organisation/import", {
        "workbook": encoded, "digest": hashlib.sha256(data).hexdigest(), "report": "1"})
    rows = list(load_workbook(io.BytesIO(report.data)).active.values)
    assert rows[0][:4] == ("工作表", "行号", "列", "值") and rows[1][:4] == ("单位", 3, "类别", "国企")


def test_a_forged_or_missing_file_is_refused(db, org, login_as):
    admin = _admin(db, login_as)
    data = book()
    for form in ({}, {"workbook": "not base64!", "digest": ""},
                 {"workbook": base64.b64encode(data).decode(), "digest": "0" * 64,
                  "confirm": "1"}):
        assert admin.post("/admin/organisation/import", form).status_code == 400
    response = admin.post("/admin/organisation/import",
                          {"file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"), "a.xls")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and ".xls" in response.get_data(as_text=True)
    assert admin.get("/admin/organisation/template.xlsx").data[:2] == b"PK"


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
