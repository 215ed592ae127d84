"""Backup and restore: every table's rows plus a folder of files, in one database-agnostic zip.

Rows are written as JSON lines per table (dates as ISO text), so a backup taken on SQLite restores
on PostgreSQL and the other way round. Restoring inserts in foreign-key order into a database that
already has the schema, then moves PostgreSQL's id sequences past the restored ids.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable

from sqlalchemy import Integer, Table, delete, func, insert, select, text

from .base import Base
from .db import Database

FORMAT = 1
BATCH = 1000
Progress = Callable[[str, int], None]


class BackupError(Exception):
    """The archive cannot be restored here (wrong format, newer schema, non-empty database)."""


def _python_type(column) -> type | None:
    kind = column.type
    kind = getattr(kind, "impl_instance", kind)  # a TypeDecorator such as UTCDateTime
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _decoder(column) -> Callable[[Any], Any]:
    kind = _python_type(column)
    if kind is datetime:
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if kind is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def is_empty(db: Database) -> bool:
    """True when no table of the schema holds a row."""
    with db.engine.connect() as conn:
        return all(conn.execute(select(t).limit(1)).first() is None for t in _tables())


def backup(db: Database, out: str | Path | BinaryIO, files: Path | None = None,
           progress: Progress | None = None) -> dict[str, int]:
    """Write every table (and every file under `files`) into a zip; returns rows per table."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # REPEATABLE READ on PostgreSQL: every table from the same snapshot, writers not blocked.
        with db.engine.connect() as conn:
            if not db.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                for table in _tables():
                    counts[table.name] = _dump_table(conn, table, archive)
                    if progress:
                        progress(table.name, counts[table.name])
        stored = []
        if files is not None and files.is_dir():
            for path in sorted(p for p in files.rglob("*") if p.is_file()):
                if path.suffix == ".part":  # an upload still being written
                    continue
                name = path.relative_to(files).as_posix()
                archive.write(path, f"files/{name}")
                stored.append(name)
        archive.writestr("manifest.json", json.dumps(
            {"format": FORMAT, "tables": {t.name: [c.name for c in t.columns] for t in _tables()},
             "rows": counts, "files": stored}, ensure_ascii=False, indent=1))
    return counts


def _dump_table(conn, table: Table, archive: zipfile.ZipFile) -> int:
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as stream:
        for row in result:
            line = json.dumps([_encode(v) for v in row], ensure_ascii=False)
            stream.write(line.encode("utf-8") + b"\n")
            count += 1
    return count


def restore(db: Database, source: str | Path | BinaryIO, files: Path | None = None,
            replace: bool = False, progress: Progress | None = None) -> dict[str, int]:
    """Load a backup into `db` (schema already created); refuses a non-empty database unless
    `replace`, which deletes every row first. All rows go in one transaction."""
    with zipfile.ZipFile(source) as archive:
        manifest = _manifest(archive)
        if not replace and not is_empty(db):
            raise BackupError("the database is not empty; restore refuses to mix data "
                              "(use --replace to delete every row first)")
        counts: dict[str, int] = {}
        with db.engine.begin() as conn:
            if replace:
                for table in reversed(_tables()):
                    conn.execute(delete(table))
            for table in _tables():
                counts[table.name] = _load_table(conn, table, archive, manifest)
                if progress:
                    progress(table.name, counts[table.name])
            if not db.is_sqlite:
                _reset_sequences(conn)
        if files is not None:
            _restore_files(archive, manifest, files)
    return counts


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as err:
        raise BackupError(f"not a Jianyi backup: {err}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    # A backup of an older version restores here: migrations only add tables and nullable
    # columns, which stay empty. A table or column this version doesn't know means a backup of
    # a newer version (or another program): refused before anything is written.
    tables = {t.name: t for t in _tables()}
    unknown = [name for name in manifest["tables"] if name not in tables]
    unknown += [f"{name}.{column}" for name, columns in manifest["tables"].items()
                if name in tables for column in columns if column not in tables[name].c]
    if unknown:
        raise BackupError(f"the backup has tables or columns this version does not know: "
                          f"{', '.join(unknown)} (a backup of a newer version?)")
    required = [f"{name}.{column.name}" for name, columns in manifest["tables"].items()
                for column in tables[name].columns
                if column.name not in columns and not column.nullable]
    if required:
        raise BackupError(f"the backup lacks required columns: {', '.join(required)}")
    return manifest


def _load_table(conn, table: Table, archive: zipfile.ZipFile, manifest: dict) -> int:
    if table.name not in manifest["tables"]:  # added after the backup was taken
        return 0
    columns = [table.c[name] for name in manifest["tables"][table.name]]
    decoders = [_decoder(c) for c in columns]
    count, batch = 0, []
    with archive.open(f"tables/{table.name}.jsonl") as stream:
        for line in stream:
            values = json.loads(line)
            batch.append({c.key: d(v) for c, d, v in zip(columns, decoders, values)})
            if len(batch) >= BATCH:
                conn.execute(insert(table), batch)
                count, batch = count + len(batch), []
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    if count != manifest["rows"].get(table.name):
        raise BackupError(f"table {table.name}: {count} rows read, manifest says "
                          f"{manifest['rows'].get(table.name)}")
    return count


def _reset_sequences(conn) -> None:
    """Move each serial id's sequence past the highest restored id (PostgreSQL)."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": pk[0].name})
        if sequence is None:
            continue
        highest = conn.scalar(select(func.max(pk[0])))
        conn.execute(text("SELECT setval(:s, :v, :called)"),
                     {"s": sequence, "v": highest or 1, "called": highest is not None})


def _restore_files(archive: zipfile.ZipFile, manifest: dict, files: Path) -> None:
    root = files.resolve()
    for name in manifest["files"]:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:  # no zip-slip out of the folder
            raise BackupError(f"refusing file path {name!r} in the backup")
        target = root.joinpath(*relative.parts)
        data = archive.read(f"files/{name}")
        # Content-addressed files carry their SHA-256 as name: check it when they do.
        if len(relative.name) == 64 and hashlib.sha256(data).hexdigest() != relative.name:
            raise BackupError(f"file {name} is damaged (SHA-256 differs)")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
