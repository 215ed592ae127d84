"""The app's settings: defaults, then the environment, then a test's overrides.

Secrets come only from the environment; without SECRET_KEY a development start gets a fresh
random key (sessions then do not survive restarts).

Mail (`MAIL`, None: off) is configured by JIANYI_SMTP_HOST, JIANYI_SMTP_PORT, JIANYI_SMTP_TLS
(none | starttls | ssl), JIANYI_SMTP_USERNAME, JIANYI_SMTP_PASSWORD, JIANYI_MAIL_FROM and
JIANYI_BASE_URL (the start of the links in the mail); without JIANYI_SMTP_HOST nothing is sent.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from workflows.mail.sender import MailSettings

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
        MAIL=mail_settings(os.environ),
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


def mail_settings(env) -> MailSettings | None:
    """The SMTP settings from the environment; None (mail off) without JIANYI_SMTP_HOST.
    A host with a wrong port, TLS mode or sender stops the start with the variable named."""
    host = env.get("JIANYI_SMTP_HOST", "").strip()
    if not host:
        return None
    port = env.get("JIANYI_SMTP_PORT", "").strip()
    if port and not (port.isascii() and port.isdigit()):
        raise ValueError(f"JIANYI_SMTP_PORT must be a port number, not {port!r}")
    try:
        return MailSettings(
            host=host, port=int(port or 0),
            tls=env.get("JIANYI_SMTP_TLS", "starttls").strip().lower(),
            username=env.get("JIANYI_SMTP_USERNAME", ""),
            password=env.get("JIANYI_SMTP_PASSWORD", ""),
            sender=env.get("JIANYI_MAIL_FROM", "").strip(),
            base_url=env.get("JIANYI_BASE_URL", "").strip() or MailSettings.base_url)
    except ValueError as err:
        raise ValueError(f"mail settings (JIANYI_SMTP_TLS, JIANYI_MAIL_FROM): {err}") from None
