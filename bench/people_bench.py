"""`org_import_s`: a province set up from one workbook — 100 units with 3 divisions each,
800 deputies, 2 congress sessions and 1,000 users (300 of them deputies' accounts) imported
into a fresh database through `workflows.organisation_table` (goal: at most 10 s). The workbook
is built once into .bench-data/."""
from __future__ import annotations

import time

from openpyxl import Workbook

from models import Database, utcnow
from models.migrations import upgrade
from workflows.organisation_table import import_organisation

from .common import DATA, report

UNITS, DIVISIONS, DEPUTIES, USERS, DEPUTY_ACCOUNTS = 100, 3, 800, 1000, 300
ROLES = ["unit_handler", "reviewer", "signer"]
KINDS = ["政府部门"] * 8 + ["党群", "其他"]


def workbook():
    path = DATA / f"org-{UNITS}-{DEPUTIES}-{USERS}.xlsx"
    if path.exists():
        return path
    book = Workbook(write_only=True)
    units = book.create_sheet("单位")
    units.append(["代码", "名称", "类别"])
    for u in range(UNITS):
        units.append([f"u{u:03d}", f"省第{u}厅", KINDS[u % len(KINDS)]])
    divisions = book.create_sheet("处室")
    divisions.append(["单位", "处室"])
    for u in range(UNITS):
        for d in range(DIVISIONS):
            divisions.append([f"u{u:03d}", f"第{d}处"])
    deputies = book.create_sheet("代表")
    deputies.append(["姓名", "代表团", "选举单位", "电话", "电子邮箱"])
    for i in range(DEPUTIES):
        city = f"第{i % 14}市"
        deputies.append([f"代表{i}", f"{city}代表团", city, f"0731-{i:07d}", f"d{i}@example.cn"])
    sessions = book.create_sheet("会议")
    sessions.append(["届", "次", "年份", "名称", "开幕日期"])
    sessions.append([14, 3, 2025, "省十四届人大三次会议", "2025-01-15"])
    sessions.append([14, 4, 2026, "省十四届人大四次会议", "2026-01-20"])
    users = book.create_sheet("用户")
    users.append(["用户名", "姓名", "角色", "单位", "处室", "代表", "启用"])
    for i in range(DEPUTY_ACCOUNTS):
        users.append([f"dep{i:04d}", f"代表{i}", "代表", "", "", f"代表{i}", "是"])
    for i in range(USERS - DEPUTY_ACCOUNTS):
        u = i % UNITS
        users.append([f"staff{i:04d}", f"干部{i}", ROLES[i % 3], f"u{u:03d}",
                      f"第{i % DIVISIONS}处", "", "是"])
    DATA.mkdir(exist_ok=True)
    book.save(path)
    return path


def main() -> None:
    path = workbook()
    target = DATA / "org-run.db"
    for suffix in ("", "-wal", "-shm", ".writer"):
        (DATA / f"org-run.db{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    upgrade(url)
    db = Database(url)
    started = time.perf_counter()
    with db.write() as s:
        outcome = import_organisation(s, path, actor="bench", now=utcnow())
        if outcome.errors:
            raise SystemExit(f"import refused: {outcome.errors[:3]}")
    elapsed = time.perf_counter() - started
    db.dispose()
    created = sum(c["created"] for c in outcome.counts.values())
    if created != UNITS * (1 + DIVISIONS) + DEPUTIES + 2 + USERS:
        raise SystemExit(f"created {created} rows, expected more")
    report("org_import_s", elapsed, "s")


if __name__ == "__main__":
    main()
