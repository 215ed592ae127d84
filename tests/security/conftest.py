"""The web fixtures (app, client, login_as) for the security tests."""
from ..webui.conftest import Client, TOKEN, app, client, login_as  # noqa: F401  (fixtures)
