"""The web fixtures (app, client, login_as) for the security tests."""
from ..webui.conftest import app, client, login_as  # noqa: F401
