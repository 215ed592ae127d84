"""Flashed messages: keep only the most recent few in the session cookie.

Flashed messages live in the session cookie until a page shows them; a client that never
follows the redirects (a script, a bench) would grow the cookie without bound.
"""
from __future__ import annotations

from flask import Flask, session

MAX_FLASHES = 5  # messages kept for the next page


def keep_recent_messages(response):
    flashes = session.get("_flashes")
    if flashes and len(flashes) > MAX_FLASHES:
        session["_flashes"] = flashes[-MAX_FLASHES:]
    return response


def init_app(app: Flask) -> None:
    app.after_request(keep_recent_messages)
