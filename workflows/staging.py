"""An uploaded file kept between its check (dry run) and its confirmation — "check, then
confirm" uploads: the assignment table (交办表导入) and the organisation workbook (组织机构导入).

A page checks a file and, when it has no bad cell, keeps it in a folder of its own under a random
token, beside a small record of what it is for (``purpose``: which page's upload), who uploaded
it, its sha256, what the page needs to import it (``details``, e.g. the congress session it was
checked against) and when it expires. The confirmation hands back the token and the sha256 it was
shown; ``take`` gives the very bytes that were checked, once, to the person who uploaded them,
for the same purpose, before they expire — anything else is refused with ``StagingError``.

The file name the browser sent is never part of a path (the token is), and is kept only to be
shown, cleaned. Taking renames the file first (atomic), so two confirmations of one upload
cannot both get it, even in two processes.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .attachments import safe_name
from .errors import DomainError

MAX_BYTES = 8 * 1024 * 1024  # a 5,000-row table with long texts is ~2 MB
LIFETIME = timedelta(hours=2)  # an assignment meeting's morning
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
SHA256 = re.compile(r"[0-9a-f]{64}")


class StagingError(DomainError):
    """A confirmation refused: the message ("中文 (English)") says why."""


GONE = StagingError("上传的文件已失效（已导入、已被替换或不是您上传的），请重新上传 "
                    "(the uploaded file is no longer valid: imported already, replaced, or not "
                    "yours; upload it again)")


@dataclass(frozen=True)
class Staged:
    """What is known of a kept upload (its bytes are in ``<token>.xlsx``)."""

    token: str
    sha256: str
    username: str
    purpose: str  # which page's upload: "assignment_table", "organisation"
    filename: str
    expires_at: str  # ISO 8601, timezone-aware
    kind: str = "table"  # "table": to import; "report": an error report to download
    details: dict = field(default_factory=dict)  # what the import needs (JSON values)

    @property
    def expires(self) -> datetime:
        return datetime.fromisoformat(self.expires_at)


def size_problem(data: bytes) -> str | None:
    """Why an upload is refused before it is read: empty or over MAX_BYTES."""
    if not data:
        return "文件为空 (empty file)"
    if len(data) > MAX_BYTES:
        return (f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请分批导入 "
                f"(file larger than {MAX_BYTES // (1024 * 1024)} MB: split it)")
    return None


def stage(folder: Path, data: bytes, *, purpose: str, username: str, filename: str,
          now: datetime, kind: str = "table", details: dict | None = None) -> Staged:
    """Keep a checked upload (or the error report of one, `kind` "report") for `purpose`;
    returns its record (the token and sha256 go into the page)."""
    if kind == "table" and size_problem(data):
        raise StagingError(size_problem(data))
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder, now)
    staged = Staged(token=secrets.token_urlsafe(32), sha256=hashlib.sha256(data).hexdigest(),
                    username=username, purpose=purpose,
                    filename=safe_name(filename or "")[:120],
                    expires_at=(now + LIFETIME).isoformat(), kind=kind,
                    details=dict(details or {}))
    _write(folder / f"{staged.token}.xlsx", data)
    _write(folder / f"{staged.token}.json", json.dumps(asdict(staged)).encode())
    return staged


def _write(path: Path, data: bytes) -> None:
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)


def take(folder: Path, token: str, sha256: str, *, purpose: str, username: str,
         now: datetime) -> tuple[Staged, bytes]:
    """The upload's record and bytes, removed from the folder: only for the uploader and the
    page (`purpose`) it was checked on, only while it has not expired, only if it still is what
    the page was shown (sha256)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or \
            not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise GONE
    staged = _record(folder / f"{token}.json")
    if staged is None or staged.username != username or staged.sha256 != sha256 or \
            staged.kind != "table" or staged.purpose != purpose:
        raise GONE
    if staged.expires <= now:
        _remove(folder, token)
        raise StagingError("上传的文件已过期，请重新上传 (the upload has expired: upload it again)")
    claimed = folder / f"{token}.{secrets.token_hex(8)}.taken"
    try:
        os.rename(folder / f"{token}.xlsx", claimed)  # one confirmation wins
    except FileNotFoundError:
        raise GONE from None
    try:
        data = claimed.read_bytes()
    finally:
        claimed.unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)
    if hashlib.sha256(data).hexdigest() != staged.sha256:  # changed on disk since the check
        raise GONE
    return staged, data


def report(folder: Path, token: str, *, purpose: str, username: str,
           now: datetime) -> bytes | None:
    """A kept error report's bytes for the person whose upload it describes (not removed: it
    may be downloaded again until it expires); None otherwise."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    staged = _record(folder / f"{token}.json")
    if staged is None or staged.kind != "report" or staged.username != username or \
            staged.purpose != purpose or staged.expires <= now:
        return None
    try:
        return (folder / f"{token}.xlsx").read_bytes()
    except OSError:
        return None


def _record(path: Path) -> Staged | None:
    try:
        return Staged(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _remove(folder: Path, token: str) -> None:
    for suffix in (".xlsx", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def sweep(folder: Path, now: datetime) -> int:
    """Remove the expired uploads (and unreadable records); returns how many."""
    removed = 0
    for path in folder.glob("*.json"):
        staged = _record(path)
        if staged is None or staged.expires <= now:
            _remove(folder, path.stem)
            removed += 1
    return removed
