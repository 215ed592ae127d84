"""The web app (网页界面): a thin Flask layer over `workflows`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify

from models import Database
from workflows import make_engine

DEFAULT_DB = "sqlite:///" + str(Path("instance") / "jianyi.db")


def create_app(test_config: dict | None = None) -> Flask:
    """Defaults, then environment, then test overrides; secrets only from the environment."""
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=DEFAULT_DB,
        SECRET_KEY=None,
        SCHEDULER_INTERVAL_S=10.0,
    )
    for key in ("DATABASE_URL", "SECRET_KEY"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # Development only: a fresh random key per start (sessions do not survive restarts).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["db"] = Database(url)
    app.extensions["engine"] = make_engine()

    @app.get("/healthz")
    def healthz():
        with app.extensions["db"].session() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return jsonify(status="ok")

    return app
