"""Administration pages of records (单位, 代表, 会议, 用户): a list with a search and a form to
add one, and each record's page with its form — made from a `Kind` that names the fields and
says how to list, load and save. Administrators only; a refused change shows the form again
with what was typed and the problem beside each field (400)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import User
from models.text import clean
from workflows.errors import DomainError
from workflows.organisation import OrganisationError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _

MAX_TYPED = 1000  # characters kept of a typed value (the rules then say what is too long)
LISTED = 500  # rows a list shows; a search narrows it
MAX_CHOSEN = 100  # values of a multi field read
_DIGITS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class Field:
    """A form field: `kind` text | int | date | choice (`options`: value → label) | ref (an
    id among `options`, chosen per request) | multi (checkboxes: any of `options`)."""

    name: str
    title: str
    kind: str = "text"
    limit: int = 64
    hint: str = ""
    options: Callable[[], list[tuple[str, str]]] | None = None


@dataclass
class Kind:
    """One kind of record and how its pages read, list and save it."""

    name: str  # endpoint prefix and URL part: /admin/<name>
    title: str
    one: str  # a record, for the "add" heading
    fields: list[Field]
    columns: list[tuple[str, str]]  # (attribute of a listed row, heading)
    listing: Callable[[Any, str], list]  # (session, search) -> rows with .id
    load: Callable[[Any, int], dict | None]  # (session, id) -> typed values
    save: Callable[..., Any]  # (session, id | None, values, actor, now) -> row
    template: str = "admin/record.html"
    details: Callable[[Any, int], dict] = field(default=lambda s, i: {})


def typed_values(kind: Kind) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """What was typed (to show again), the values converted, and the conversion problems."""
    typed, values, problems = {}, {}, {}
    for f in kind.fields:
        if f.kind == "multi":
            chosen = [v[:MAX_TYPED] for v in request.form.getlist(f.name)[:MAX_CHOSEN]]
            allowed = {v for v, _t in f.options()}
            typed[f.name] = values[f.name] = [v for v in chosen if v in allowed]
            if len(chosen) > len(values[f.name]):
                problems[f.name] = "请从列表中选择 (choose from the list)"
            continue
        raw = request.form.get(f.name, "")[:MAX_TYPED]
        typed[f.name] = raw
        text = clean(raw)
        if f.kind == "int":
            values[f.name] = int(text) if _DIGITS.fullmatch(text) else None
            if values[f.name] is None:
                problems[f.name] = "应为整数 (a whole number)"
        elif f.kind == "date":
            try:
                values[f.name] = date.fromisoformat(text) if text else None
            except ValueError:
                problems[f.name] = "日期格式应为 YYYY-MM-DD (a date as YYYY-MM-DD)"
        elif f.kind in ("choice", "ref"):
            allowed = {v for v, _t in f.options()}
            if text and text not in allowed:
                problems[f.name] = "请从列表中选择 (choose from the list)"
            values[f.name] = (int(text) if f.kind == "ref" else text) \
                if text in allowed else (None if f.kind == "ref" else "")
        else:
            values[f.name] = text
    return typed, values, problems


def register(bp: Blueprint, kind: Kind) -> None:
    """The list page (GET/POST /admin/<name>) and a record's page (GET/POST …/<id>)."""

    def page(record_id: int | None, typed=None, errors=None, status=200):
        s = db.session()
        search = params.text(request.args, "q", limit=64)
        rows = kind.listing(s, search)[:LISTED + 1] if record_id is None else []
        if record_id is not None and typed is None:
            typed = kind.load(s, record_id)
            if typed is None:
                abort(404)
        details = kind.details(s, record_id) if record_id is not None else {}
        return render_template(kind.template if record_id else "admin/records.html", kind=kind,
                               rows=rows[:LISTED], more=len(rows) > LISTED, search=search,
                               record_id=record_id, typed=typed or {}, errors=errors or {},
                               **details), status

    def save(record_id: int | None):
        if record_id is not None and kind.load(db.session(), record_id) is None:
            abort(404)
        typed, values, problems = typed_values(kind)
        if not problems:
            try:
                with db.write() as s:
                    row = kind.save(s, record_id, values, current_user.username, db.now())
                    row, token = row if isinstance(row, tuple) else (row, None)
                    saved_id = row.id
            except OrganisationError as err:
                problems = err.problems
            except DomainError as err:
                problems = {"_": str(err)}
        if problems:
            return page(record_id, typed, problems, 400)
        if token is not None:  # a new account: its one-time link, shown once
            return show_link(saved_id, token)
        flash(_("已保存。"), "success")
        return redirect(url_for(f"{bp.name}.{kind.name}_one", record_id=saved_id))

    @roles_required("admin")
    def listing():
        """Administrators: the records, a search, and a form to add one."""
        return page(None) if request.method == "GET" else save(None)

    @roles_required("admin")
    def one(record_id: int):
        """Administrators: one record and its form."""
        params.row_id(record_id)
        return page(record_id) if request.method == "GET" else save(record_id)

    bp.add_url_rule(f"/{kind.name}", f"{kind.name}_list", listing, methods=["GET", "POST"])
    bp.add_url_rule(f"/{kind.name}/<int:record_id>", f"{kind.name}_one", one,
                    methods=["GET", "POST"])


def show_link(user_id: int, token: str):
    """The page that shows an account's one-time link to the administrator (once)."""
    user = db.session().get(User, user_id)
    return render_template("admin/password_link.html", user=user,
                           link=url_for("password_links.open_link", token=token, _external=True))


def like(column, search: str):
    """`column` contains `search` (its % and _ taken literally)."""
    return column.contains(search, autoescape=True)


__all__ = ["Field", "Kind", "LISTED", "like", "register", "show_link", "typed_values"]
