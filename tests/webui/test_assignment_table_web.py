"""The assignment table from the web (交办表导入): the commission uploads, sees the dry run, and
confirms; the confirmation imports exactly the checked file, once, for the uploader only."""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Assignment, AuditEvent, Suggestion
from webui.cli import main
from workflows import staging
from workflows.users import create_user

from ..workflows.test_bulk_import import GOOD, workbook

BAD = [list(r) for r in GOOD]
BAD[1][7] = "nowhere"  # row 3, 主办单位: an unknown unit
HIDDEN = re.compile(r'name="(token|sha256)" value="([^"]+)"')


def count(db, model=Suggestion) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def upload(c, org, data: bytes, name="交办表.xlsx", congress=None):
    return c.post("/assignment-table/check", {
        "congress_session": str(congress or org.congress_session_id),
        "table": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def confirm_fields(response) -> dict[str, str]:
    return dict(HIDDEN.findall(response.get_data(as_text=True)))


def test_the_dry_run_lists_what_would_be_assigned_and_writes_nothing(login_as, db, org):
    c = login_as("commission")
    assert "下载交办表模板" in c.get("/assignment-table").get_data(as_text=True)
    response = upload(c, org, workbook(GOOD))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "检查通过：3 条建议将登记并按下表交办" in html
    assert 'data-number="101"' in html and "省财政厅、省教育厅" in html  # co-units by name
    assert "主办+会办" in html and "分办" in html and "省领导甲" in html
    assert set(confirm_fields(response)) == {"token", "sha256"}
    assert count(db) == 0
    with db.session() as s:
        [event] = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "assignment_table_checked")).all()
        assert event.actor == "commission" and event.detail["rows"] == 3


def test_every_bad_cell_is_named_and_nothing_can_be_confirmed(login_as, db, org, tmp_path):
    response = upload(login_as("commission"), org, workbook(BAD))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="cell-errors"' in html and "整个文件未导入" in html
    assert '<tr data-row="3" data-column="主办单位"><td>3</td><td>主办单位</td><td>nowhere</td>' \
        in html and "未知的承办单位：nowhere" in html
    assert confirm_fields(response) == {} and 'id="confirm-form"' not in html
    link = re.search(r'href="(/assignment-table/report/([^"]+)\.xlsx)"', html)
    report = login_as("commission").get(link.group(1))
    assert report.status_code == 200 and report.mimetype.endswith("sheet")
    sheet = load_workbook(io.BytesIO(report.data)).active
    assert [c.value for c in sheet[2]][:3] == [3, "主办单位", "nowhere"]
    with db.write() as s:
        create_user(s, "commission2", "代表工委乙", "commission", "pw")
    assert login_as("commission2").get(link.group(1)).status_code == 404  # the uploader's only
    # The report is kept to be downloaded, never to be imported.
    sha = hashlib.sha256(report.data).hexdigest()
    refused = login_as("commission").post("/assignment-table/confirm",
                                          {"token": link.group(2), "sha256": sha})
    assert refused.status_code == 409
    assert count(db) == 0


def test_the_confirmation_imports_the_checked_file_once(login_as, db, org):
    c = login_as("commission")
    fields = confirm_fields(upload(c, org, workbook(GOOD)))
    done = c.post("/assignment-table/confirm", fields)
    assert done.status_code == 302 and "/assignment-table/imported/" in done.headers["Location"]
    page = c.get(done.headers["Location"]).get_data(as_text=True)
    assert "已导入并交办 3 条建议" in page
    assert "省交通运输厅（主办）" in page and "省财政厅（会办）" in page
    assert count(db) == 3 and count(db, Assignment) == 7
    with db.session() as s:
        [event] = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "assignment_table_imported")).all()
        assert event.actor == "commission" and event.detail["sha256"] == fields["sha256"]
        assert len(event.detail["suggestions"]) == 3
    again = c.post("/assignment-table/confirm", fields)
    assert again.status_code == 409 and "已失效" in again.get_data(as_text=True)
    assert count(db) == 3 and count(db, Assignment) == 7


def test_a_number_registered_since_the_dry_run_refuses_the_whole_file(login_as, db, org,
                                                                    domain_engine):
    c = login_as("commission")
    fields = confirm_fields(upload(c, org, workbook(GOOD)))
    with db.write() as s:  # someone registers No. 102 by hand in the meantime
        from models import CongressSession, Deputy
        from workflows.suggestions import register
        register(s, domain_engine, congress_session=s.get(CongressSession, org.congress_session_id),
                 number=102, title="关于手工登记的建议", body="正文", field="交通",
                 lead_deputy=s.get(Deputy, org.deputies["李强"]), actor="commission")
    response = c.post("/assignment-table/confirm", fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "第102号建议已在本次会议登记" in html
    assert count(db) == 1 and count(db, Assignment) == 0
    assert c.post("/assignment-table/confirm", fields).status_code == 409  # taken: upload again


def test_a_token_is_the_uploaders_only(login_as, db, org):
    with db.write() as s:
        create_user(s, "commission2", "代表工委乙", "commission", "pw")
    mine = login_as("commission")
    fields = confirm_fields(upload(mine, org, workbook(GOOD)))
    other = login_as("commission2")
    assert other.post("/assignment-table/confirm", fields).status_code == 409
    assert count(db) == 0
    assert mine.post("/assignment-table/confirm", fields).status_code == 302  # still theirs
    assert count(db) == 3


@pytest.mark.parametrize("change", ["token", "sha256", "missing", "file", "expired"])
def test_a_tampered_foreign_or_expired_confirmation_is_refused(login_as, db, org, tmp_path,
                                                                clock, change):
    c = login_as("commission")
    fields = confirm_fields(upload(c, org, workbook(GOOD)))
    if change == "token":
        fields["token"] = fields["token"][:-1] + ("A" if fields["token"][-1] != "A" else "B")
    elif change == "sha256":
        fields["sha256"] = "0" * 64
    elif change == "missing":
        fields = {"token": "../../etc/passwd", "sha256": "x" * 10_000}
    elif change == "file":  # the kept file changed on disk after the check
        path = tmp_path / "staged-imports" / f"{fields['token']}.xlsx"
        path.write_bytes(workbook(GOOD[:1]))
    else:
        clock.advance(hours=2, minutes=1)
        c = login_as("commission")  # the login session has ended by then too
    response = c.post("/assignment-table/confirm", fields)
    assert response.status_code == 409, change
    assert ("已过期" if change == "expired" else "已失效") in response.get_data(as_text=True)
    assert count(db) == 0


def test_hostile_uploads_and_parameters(login_as, db, org, tmp_path):
    c = login_as("commission")
    for congress in ("abc", "99999999999", "-1"):
        assert upload(c, org, workbook(GOOD), congress=congress).status_code == 400
    assert "请选择届次" in upload(c, org, workbook(GOOD), congress="4242").get_data(as_text=True)
    no_file = c.post("/assignment-table/check", {"congress_session": str(org.congress_session_id)})
    assert no_file.status_code == 400 and "请选择文件" in no_file.get_data(as_text=True)
    assert "文件为空" in upload(c, org, b"").get_data(as_text=True)
    too_big = upload(c, org, b"PK\x03\x04" + b"\0" * staging.MAX_BYTES)
    assert too_big.status_code == 400 and "文件超过 8 MB" in too_big.get_data(as_text=True)
    text = upload(c, org, "建议号,标题\n1,x".encode(), name="table.xlsx")
    assert text.status_code == 400 and "不是 Excel 工作簿" in text.get_data(as_text=True)
    # The browser's file name is shown cleaned and never names a path.
    named = upload(c, org, workbook(GOOD), name="../../evil<script>.xlsx")
    html = named.get_data(as_text=True)
    assert named.status_code == 200 and "<script>" not in html and "evilscript.xlsx" in html
    kept = sorted(p.name for p in (tmp_path / "staged-imports").iterdir())
    assert len(kept) == 4 and all(re.fullmatch(r"[A-Za-z0-9_-]{43}\.(xlsx|json)", n)
                                  for n in kept)
    assert not (tmp_path.parent / "evil<script>.xlsx").exists()
    assert c.get("/assignment-table/imported/99999999999").status_code == 404
    for token in ("x" * 43, "../../etc/passwd", "%00"):
        assert c.get(f"/assignment-table/report/{token}.xlsx").status_code == 404
    with db.session() as s:
        other = s.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "assignment_table_checked"))
    assert c.get(f"/assignment-table/imported/{other}").status_code == 404
    assert count(db) == 0


def test_expired_uploads_are_swept_on_the_next_upload(login_as, org, tmp_path, clock):
    c = login_as("commission")
    first = confirm_fields(upload(c, org, workbook(GOOD)))
    clock.advance(hours=3)
    upload(login_as("commission"), org, workbook(GOOD))
    names = {p.stem for p in (tmp_path / "staged-imports").iterdir()}
    assert first["token"] not in names and len(names) == 1


def test_the_template_downloads_and_its_headers_are_the_columns(login_as):
    response = login_as("commission").get("/assignment-table/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("sheet")
    headers = [c.value for c in load_workbook(io.BytesIO(response.data)).active[1]]
    assert headers[:3] == ["建议号", "标题", "领衔代表"]


def test_the_cli_dry_run_is_the_same_check_and_writes_nothing(db, org, tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_bytes(workbook(GOOD))
    env = {"DATABASE_URL": db.url.render_as_string(hide_password=False)}
    result = CliRunner().invoke(main, ["import", str(path), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "3 suggestions would be imported" in result.output and "no. 102" in result.output
    assert count(db) == 0
    path.write_bytes(workbook(BAD))
    refused = CliRunner().invoke(main, ["import", str(path), "--dry-run"], env=env)
    assert refused.exit_code == 1 and "row 3  主办单位  'nowhere'" in refused.output
    path.write_bytes(workbook(GOOD))
    imported = CliRunner().invoke(main, ["import", str(path)], env=env)
    assert imported.exit_code == 0 and count(db) == 3
    with db.session() as s:
        assert s.scalar(select(AuditEvent.actor).where(
            AuditEvent.action == "assignment_table_imported")) == "commission"
