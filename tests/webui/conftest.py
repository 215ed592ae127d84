"""Web fixtures: the app on the test database, a client, and `login_as`."""
from __future__ import annotations

import re

import pytest

from webui import create_app

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db, domain_engine, org, tmp_path):
    return create_app({
        "TESTING": True, "DATABASE_URL": db.url.render_as_string(hide_password=False),
        "ENGINE": domain_engine, "SECRET_KEY": "test-only", "ATTACHMENTS_DIR": str(tmp_path / "files"),
    }, db=db)  # share the test database object (and its clean-up)


class Client:
    """A test client that knows its CSRF token and logs in like a person."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.token = None

    def get(self, url, **kwargs):
        response = self.http.get(url, **kwargs)
        if response.mimetype == "text/html":
            found = TOKEN.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1)
        return response

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/inbox" if self.logged_in else "/login")
            data.setdefault("csrf_token", self.token)
        return self.http.post(url, data=data, **kwargs)

    logged_in = False

    def login(self, username, password="pw"):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        self.logged_in = response.status_code == 302
        self.token = None
        return response


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def login_as(app):
    def login(username):
        c = Client(app)
        response = c.login(username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return c
    return login
