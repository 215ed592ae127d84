"""The web app (网页界面): a thin Flask layer over `workflows`.

`create_app` only assembles: settings come from `config.load`, and each concern registers
itself through the `init_app(app)` of the module that owns it.
"""
from __future__ import annotations

from flask import Flask

from models import Database

from . import config


def create_app(test_config: dict | None = None, db: Database | None = None) -> Flask:
    """The app on `db` (a test's database) or on a new one at DATABASE_URL."""
    app = Flask(__name__)
    config.load(app, test_config)

    from . import (admin, admin_home, assignment_table, auth, banners, bulletin,
                   calendar_settings, cases, committee_admin, committees, csrf, designer,
                   errors, flashes, headers, i18n, inbox, instances, intake, lanes, mail_settings,
                   notifications, organisation, organisation_import, password_links, people,
                   public, publication, saved_filters, substitution, supervision, tasks)
    from . import db as database
    database.init_app(app, db)  # the database and engine, request sessions, /healthz
    csrf.init_app(app)
    headers.init_app(app)  # CSP, no-store, HSTS: see webui/headers.py
    i18n.init_app(app)
    auth.init_app(app)
    banners.init_app(app)  # the missing-calendar-year warning for commission and admins
    instances.init_app(app)  # the header's 新建案件 link
    for module in (inbox, tasks, cases, instances, notifications, supervision, designer, lanes,
                   admin, admin_home,  # roles; the administrator's home (管理)
                   organisation, people, organisation_import,  # units, deputies, users, import
                   committee_admin,  # 专门委员会 in the organisation administration
                   bulletin, committees,  # the bulletin's figures; committees' 对口督办
                   assignment_table, calendar_settings,  # 交办表导入, 时限与日历
                   saved_filters, substitution,  # 保存的筛选, 我的代理
                   intake,  # 提出建议: deputies submit online
                   mail_settings,  # 通知设置, linked from the notifications page
                   publication, public):  # 办理结果公开: the commission's review, the public page
        app.register_blueprint(module.bp)
    password_links.init_app(app)  # the one-time link's page, the first-login password change
    errors.init_app(app)
    flashes.init_app(app)
    return app
