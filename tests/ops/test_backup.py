"""`jianyi backup` / `jianyi restore`: every row and every attachment survive, across backends."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from models import AuditEvent, Base, Database, HumanTask
from models.backup import BackupError, restore
from workflows import attachments, demo, simulate
from webui.cli import main

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def _rows(database: Database) -> dict[str, list[tuple]]:
    with database.engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(
                    select(t).order_by(*(t.primary_key.columns or t.columns)))]
                for t in Base.metadata.sorted_tables}


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def province(db, tmp_path):
    """The demo province plus two uploaded attachments, in `db` and tmp/files."""
    folder = tmp_path / "files"
    with db.write() as s:
        demo.load(s)
        task = s.scalars(select(HumanTask).where(HumanTask.state == "ready",
                                                 HumanTask.bpmn_id == "draft_reply")).first()
        user = simulate.worker_for(s, task)
        now = datetime.now(timezone.utc)
        attachments.add(s, folder, user, task, "答复.pdf", PDF, now)
        attachments.add(s, folder, user, task, "note.txt", "注意 <b>".encode(), now)
    return {"url": db.url.render_as_string(hide_password=False), "files": folder}


def test_backup_restores_into_an_empty_database_row_for_row(db, province, empty_urls, tmp_path):
    runner, archive = CliRunner(), tmp_path / "backup.zip"
    result = runner.invoke(main, ["backup", str(archive)], env={
        "DATABASE_URL": province["url"], "ATTACHMENTS_DIR": str(province["files"])})
    assert result.exit_code == 0, result.output
    original = _rows(db)
    assert len(original["suggestion"]) >= 60 and len(original["attachment"]) == 2
    for n, url in enumerate(empty_urls):
        files = tmp_path / f"restored-files-{n}"
        result = runner.invoke(main, ["restore", str(archive)], env={
            "DATABASE_URL": url, "ATTACHMENTS_DIR": str(files)})
        assert result.exit_code == 0, result.output
        restored = Database(url)
        try:
            assert _rows(restored) == original, url
            assert _files(files) == _files(province["files"]) and len(_files(files)) == 2
            with restored.write() as s:  # the id sequences moved past the restored ids
                s.add(AuditEvent(at=datetime.now(timezone.utc), actor="t", action="after"))
                s.flush()
                assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "after")) \
                    == max(r[0] for r in original["audit_event"]) + 1
        finally:
            restored.dispose()


def test_restore_refuses_a_database_that_has_rows(db, province, tmp_path):
    runner, archive = CliRunner(), tmp_path / "backup.zip"
    env = {"DATABASE_URL": province["url"], "ATTACHMENTS_DIR": str(province["files"])}
    assert runner.invoke(main, ["backup", str(archive)], env=env).exit_code == 0
    before = _rows(db)
    result = runner.invoke(main, ["restore", str(archive)], env=env)
    assert result.exit_code == 1 and "not empty" in result.output
    assert _rows(db) == before
    result = runner.invoke(main, ["restore", "--replace", str(archive)], env=env)
    assert result.exit_code == 0, result.output
    assert _rows(db) == before


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_restore_refuses_paths_that_leave_the_folder(db, tmp_path):
    archive = tmp_path / "backup.zip"
    from models.backup import backup
    backup(db, archive)
    with zipfile.ZipFile(archive, "a") as z:
        manifest = z.read("manifest.json").decode().replace('"files": []',
                                                            '"files": ["../escaped"]')
        z.writestr("files/../escaped", b"x")
        z.writestr("manifest.json", manifest)
    with pytest.raises(BackupError, match="refusing file path"):
        restore(db, archive, tmp_path / "files", replace=True)
    assert not (tmp_path / "escaped").exists()


def _rewrite(archive, out, change_manifest, change_table=lambda name, row: row):
    """A copy of a backup with its manifest and rows changed (as another version wrote it)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        for item in src.infolist():
            name = item.filename
            if name.startswith("tables/"):
                table = name[len("tables/"):-len(".jsonl")]
                if table not in change_manifest(json.loads(json.dumps(manifest)))["tables"]:
                    continue
                lines = [json.dumps(change_table(table, json.loads(line)), ensure_ascii=False)
                         for line in src.read(name).decode().splitlines()]
                dst.writestr(name, "".join(line + "\n" for line in lines))
            elif name != "manifest.json":
                dst.writestr(item, src.read(item))
        dst.writestr("manifest.json", json.dumps(change_manifest(manifest), ensure_ascii=False))


def test_a_backup_of_an_older_version_restores_and_one_of_a_newer_is_refused(db, province,
                                                                               tmp_path):
    from models.backup import backup
    archive, older, newer = (tmp_path / n for n in ("now.zip", "older.zip", "newer.zip"))
    backup(db, archive)
    original = _rows(db)
    subject = [c.name for c in HumanTask.__table__.columns].index("subject")
    assert any(row[subject] for row in original["human_task"])  # the demo's feedback tasks

    def before_subjects(manifest):  # as written before human_task.subject and login_failure
        manifest["tables"]["human_task"].remove("subject")
        del manifest["tables"]["login_failure"], manifest["rows"]["login_failure"]
        return manifest

    _rewrite(archive, older, before_subjects,
             lambda table, row: row[:subject] + row[subject + 1:] if table == "human_task" else row)
    restore(db, older, replace=True)
    rows = _rows(db)
    assert [r[:subject] + r[subject + 1:] for r in rows["human_task"]] == \
        [r[:subject] + r[subject + 1:] for r in original["human_task"]]
    assert all(r[subject] is None for r in rows["human_task"])
    assert rows["suggestion"] == original["suggestion"]

    def from_the_future(manifest):
        manifest["tables"]["human_task"].append("colour")
        manifest["tables"]["robot"] = ["id"]
        return manifest

    _rewrite(archive, newer, from_the_future,
             lambda table, row: row + ["red"] if table == "human_task" else row)
    with pytest.raises(BackupError, match="human_task.colour") as refused:
        restore(db, newer, replace=True)
    assert "robot" in str(refused.value)
    assert _rows(db) == rows  # refused before anything was written
