"""Attachments (附件): size and type limits, content checked, stored by hash."""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from models import Attachment, HumanTask, User

from .errors import DomainError, PermissionDenied
from . import substitution, task_access

MAX_BYTES = 10 * 1024 * 1024
# extension -> (content type, test on the first bytes)
TYPES = {
    ".pdf": ("application/pdf", lambda b: b.startswith(b"%PDF-")),
    ".png": ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda b: b.startswith(b"PK\x03\x04")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              lambda b: b.startswith(b"PK\x03\x04")),
    ".txt": ("text/plain; charset=utf-8", lambda b: _is_utf8(b)),
}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def safe_name(filename: str) -> str:
    """The last path component, without control characters."""
    name = filename.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return name[:200] or "file"


def add(session: Session, folder: Path, user: User, task: HumanTask, filename: str,
        data: bytes, now: datetime) -> Attachment:
    """Attach a file to the task's case; refused with a clear reason if too big or not allowed."""
    if not task_access.allows(substitution.acting(session, user, now), task) \
            or task.state != "ready":
        raise PermissionDenied("只能为自己的待办任务上传附件 (only for your own open task)")
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in TYPES:
        raise DomainError(f"不支持的文件类型 {suffix or '(none)'}；允许 "
                          f"{', '.join(sorted(TYPES))} (file type not allowed)")
    if len(data) > MAX_BYTES:
        raise DomainError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB (file too large)")
    if not data:
        raise DomainError("文件为空 (empty file)")
    content_type, looks_right = TYPES[suffix]
    if not looks_right(data[:4096] if suffix != ".txt" else data):
        raise DomainError(f"文件内容与类型 {suffix} 不符 (content does not match its type)")
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    attachment = Attachment(instance_id=task.instance_id, task_id=task.id, filename=name,
                            content_type=content_type, size=len(data), sha256=digest,
                            uploaded_by=user.username, uploaded_at=now)
    session.add(attachment)
    return attachment


def content(folder: Path, attachment: Attachment) -> bytes:
    return (folder / attachment.sha256[:2] / attachment.sha256).read_bytes()
