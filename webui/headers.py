"""Response headers: what a browser may run, frame, cache and remember about this site.

Every response carries a Content-Security-Policy. Pages (HTML) and the static assets they load get
`PAGE_POLICY`; everything else - JSON, exports, letters, attachments, stored BPMN/DMN/JSON - is a
document nobody should execute if it is opened directly, so it gets `FILE_POLICY` (a sandbox that
may load nothing). Only static assets may be cached: every other response can carry personal
data, so it is `no-store` (a shared or back-button cache must not keep it after logout).
"""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import PurePosixPath

from flask import Flask, Response, current_app, request, send_file

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    # Only our own files: no inline script, no event-handler attributes, no eval/new Function
    # (neither bpmn-js nor chart.js needs them). Page data reaches the scripts through data-*
    # attributes and <script type="application/json"> blocks, which are never executed.
    "script-src 'self'",
    # No 'unsafe-inline' for styles either: bpmn-js 18 and chart.js 4 set styles through the
    # CSSOM (element.style.x = ...), which a policy does not restrict, and our templates carry no
    # style attributes. tests/browser/test_csp.py drives the viewer, the editor (palette, context
    # pad, replace menu, label editing, dragging) and the charts and fails on any violation.
    "style-src 'self'",
    # bpmn-js.css draws the drill-down breadcrumbs' separator as a data: image, and
    # bpmn-embedded.css carries the editor's icon font as data: (images cannot run script).
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
FILE_POLICY = "sandbox; default-src 'none'"
# HSTS is sent only when the app is configured as served over HTTPS (JIANYI_SECURE_COOKIES=1,
# i.e. SESSION_COOKIE_SECURE): JIANYI_PROXIES only says a proxy forwards the requests, which may
# be plain HTTP. One year; no includeSubDomains, as the province's other hosts are not ours.
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    static = request.endpoint == "static"
    page = static or response.mimetype == "text/html"
    headers = response.headers
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if page else FILE_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not static:
        # Replaces whatever a route or send_file set (send_file allows caching with revalidation).
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def stored_file(text: str, name: str) -> Response:
    """A stored BPMN/DMN/JSON file as inert data: plain text, downloaded, never rendered.

    The viewer and the editor read it with fetch(); a browser that navigates to it gets a
    download of plain text in a sandbox, so markup inside (an XHTML <script>, an SVG) never runs.
    """
    # A package's file names come from the designer's JSON: keep letters, digits, `.`, `-`, `_`
    # so no quote or line break reaches the header (werkzeug encodes the non-ASCII ones).
    download = re.sub(r"[^\w.\-]", "_", PurePosixPath(name).name) or "file"
    response = send_file(BytesIO(text.encode("utf-8")), mimetype="text/plain",  # charset added
                         as_attachment=True, download_name=download)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
