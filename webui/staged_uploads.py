"""Where the web's "check, then confirm" uploads are kept between the two steps
(``workflows.staging``): the assignment table and the organisation workbook."""
from __future__ import annotations

from pathlib import Path

from flask import current_app


def staging_dir() -> Path:
    """Kept uploads: STAGING_DIR, else beside the attachments (never inside: backups copy
    every file there)."""
    configured = current_app.config.get("STAGING_DIR")
    return Path(configured) if configured else \
        Path(current_app.config["ATTACHMENTS_DIR"]).parent / "staged-imports"
