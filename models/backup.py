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

from sqlalchemy import (BigInteger, Integer, String, Table, bindparam, delete, false, func,
                        insert, select, text, update)
from sqlalchemy.exc import DBAPIError, StatementError

from .base import Base
from .db import Database
from .text import storable

FORMAT = 1
BATCH = 1000
MAX_REPORTED = 20  # values a refused restore lists
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


# Tables a new database already holds rows of (the migrations seed them: built-in roles, default
# lane rules and start permissions). They do not make a database "not empty"; a restore replaces
# their rows with the backup's.
SEEDED = ("role", "lane_rule", "start_permission")


def is_empty(db: Database) -> bool:
    """True when no table of the schema holds a row (seeded rows aside)."""
    with db.engine.connect() as conn:
        return all(conn.execute(select(t).limit(1)).first() is None
                   for t in _tables() if t.name not in SEEDED)


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


# Login sessions are not carried over: a restored copy must not let anyone in with a cookie of
# the original server; after a restore everyone logs in again.
NOT_BACKED_UP = frozenset({"login_session"})


def _dump_table(conn, table: Table, archive: zipfile.ZipFile) -> int:
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    query = select(table).order_by(*order)
    if table.name in NOT_BACKED_UP:
        query = query.where(false())
    result = conn.execution_options(yield_per=BATCH).execute(query)
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
        # What the target cannot hold is found before it is written: SQLite keeps any text
        # and integer, PostgreSQL refuses text longer than its column, NUL characters and
        # integers past the column's range (a backup taken on SQLite may hold all three).
        checker = None if db.is_sqlite else _Checker()
        with db.engine.begin() as conn:
            for table in reversed(_tables()):
                if replace or table.name in SEEDED:
                    conn.execute(delete(table))
            for table in _tables():
                counts[table.name] = _load_table(conn, table, archive, manifest, checker)
                if progress:
                    progress(table.name, counts[table.name])
            if checker is not None and checker.problems:
                raise BackupError(checker.report())  # rolls back: nothing is written
            if not db.is_sqlite:
                _reset_sequences(conn)
        if files is not None:
            _restore_files(archive, manifest, files)
    return counts


class _Checker:
    """Finds the values a PostgreSQL table cannot hold, naming table, row, column and limit."""

    def __init__(self):
        self.problems: list[str] = []
        self.count = 0

    @staticmethod
    def checks(columns) -> list[tuple[str, Callable[[Any], str | None]]]:
        out = []
        for column in columns:
            kind = getattr(column.type, "impl_instance", column.type)
            if isinstance(kind, String):  # String(n) and Text
                out.append((column.key, _text_check(kind.length)))
            elif isinstance(kind, Integer):
                bits = 63 if isinstance(kind, BigInteger) else 31
                out.append((column.key, _integer_check(bits)))
        return out

    def check(self, table: Table, checks, row: dict[str, Any]) -> bool:
        """True if the row can be written; else its problems are noted."""
        good = True
        for key, check in checks:
            found = check(row.get(key))
            if found is not None:
                good = False
                self.count += 1
                if len(self.problems) < MAX_REPORTED:
                    where = ", ".join(f"{c.name}={row.get(c.key)!r}"
                                      for c in table.primary_key.columns)
                    self.problems.append(f"table {table.name}, row {where or '?'}, "
                                         f"column {table.c[key].name}: {found}")
        return good

    def report(self) -> str:
        more = f"\n  … and {self.count - len(self.problems)} more" \
            if self.count > len(self.problems) else ""
        return (f"the backup holds {self.count} value(s) this PostgreSQL database cannot store; "
                f"nothing was restored. Correct them in the source database (or with the "
                f"application's limits) and take a new backup:\n  "
                + "\n  ".join(self.problems) + more)


def _text_check(length: int | None) -> Callable[[Any], str | None]:
    def check(value):
        if not isinstance(value, str):
            return None
        if length is not None and len(value) > length:
            return f"{len(value)} characters, the column holds at most {length}"
        return storable(value)
    return check


def _integer_check(bits: int) -> Callable[[Any], str | None]:
    low, high = -2**bits, 2**bits - 1

    def check(value):
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            return f"{value} is outside the column's range {low}..{high}"
        return None
    return check


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


def _load_table(conn, table: Table, archive: zipfile.ZipFile, manifest: dict,
                checker: _Checker | None = None) -> int:
    if table.name not in manifest["tables"]:  # added after the backup was taken
        return 0
    columns = [table.c[name] for name in manifest["tables"][table.name]]
    decoders = [_decoder(c) for c in columns]
    checks = checker.checks(columns) if checker is not None else []
    # A column referring to its own table (a suggestion merged into a later one) is written
    # once every row is in: rows go in id order, and the row referred to may come after.
    self_refs = [c.key for c in columns if any(fk.column.table is table for fk in c.foreign_keys)]
    key = table.primary_key.columns[0].key if self_refs else None  # such tables have one id
    count, batch, later = 0, [], []
    with archive.open(f"tables/{table.name}.jsonl") as stream:
        for line in stream:
            values = json.loads(line)
            row = {c.key: d(v) for c, d, v in zip(columns, decoders, values)}
            count += 1
            # Once a value is refused nothing more is written; the rest is only checked, so
            # the message lists every value to correct.
            if checker is None or (checker.check(table, checks, row) and not checker.problems):
                refs = {name: row[name] for name in self_refs if row[name] is not None}
                if refs:
                    later.append({"_key": row[key], **{f"_{n}": v for n, v in refs.items()}})
                    row = {**row, **dict.fromkeys(refs)}
                batch.append(row)
            if len(batch) >= BATCH:
                _insert(conn, table, batch, checker)
                batch = []
    if batch:
        _insert(conn, table, batch, checker)
    for name in self_refs:
        rows = [r for r in later if f"_{name}" in r]
        if rows and not (checker is not None and checker.problems):
            conn.execute(update(table).where(table.c[key] == bindparam("_key"))
                         .values({name: bindparam(f"_{name}")}), rows)
    if count != manifest["rows"].get(table.name):
        raise BackupError(f"table {table.name}: {count} rows read, manifest says "
                          f"{manifest['rows'].get(table.name)}")
    return count


def _insert(conn, table: Table, rows: list[dict[str, Any]], checker: _Checker | None) -> None:
    """Insert rows (none once a value was refused); a refusal the checks did not foresee still
    names its table."""
    if checker is not None and checker.problems:
        return
    try:
        conn.execute(insert(table), rows)
    except (DBAPIError, StatementError) as err:
        raise BackupError(f"table {table.name}: the database refused a row of this table; "
                          f"nothing was restored: {getattr(err, 'orig', err)}") from None


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
