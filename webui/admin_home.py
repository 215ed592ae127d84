"""The administrator's home (管理): one page listing the administration pages with a line on
each, so the header carries one 管理 link instead of six."""
from __future__ import annotations

from flask import Blueprint, render_template

from .auth import roles_required

bp = Blueprint("admin_home", __name__, url_prefix="/admin")


@bp.get("")
@roles_required("admin")
def index():
    """Administrators: the administration pages."""
    return render_template("admin/home.html")
