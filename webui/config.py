"""The app's settings: defaults, then the environment, then a test's overrides.

Secrets come only from the environment; without SECRET_KEY a development start gets a fresh
random key (sessions then do not survive restarts).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_DB = "sqlite:///" + str(Path("instance") / "jianyi.db")


def load(app: Flask, test_config: dict | None = None) -> None:
    """Defaults, then environment, then test overrides; secrets only from the environment."""
    app.config.update(
        DATABASE_URL=DEFAULT_DB,
        SECRET_KEY=None,
        SCHEDULER_INTERVAL_S=10.0,
        ATTACHMENTS_DIR=str(Path("instance") / "attachments"),
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # JIANYI_SECURE_COOKIES=1 means "served over HTTPS": Secure cookie and HSTS (headers.py).
        SESSION_COOKIE_SECURE=os.environ.get("JIANYI_SECURE_COOKIES", "") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCK_MINUTES=15,
        LOGIN_MAX_ADDRESS_FAILURES=20,  # per client address within LOGIN_LOCK_MINUTES
        PAGE_SIZE=25,
    )
    for key in ("DATABASE_URL", "SECRET_KEY", "ATTACHMENTS_DIR"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    proxies = int(os.environ.get("JIANYI_PROXIES", "0"))
    if proxies:  # behind that many reverse proxies: the client address is X-Forwarded-For's
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
