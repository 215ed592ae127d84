"""`assign_1500_s`: an assignment meeting — 1,500 suggestions registered and assigned in one
batch through `jianyi import` (the command a commission clerk runs, progress bar included)."""
from __future__ import annotations

import subprocess
import sys
import time

from openpyxl import Workbook
from sqlalchemy import func, select

from models import Database, Deputy, HumanTask, Suggestion
from models.migrations import upgrade
from workflows import demo

from .common import DATA, ROOT, report

COUNT = 1500
HEADERS = ["建议号", "标题", "领衔代表", "选举单位", "领域", "办理方式", "主办单位", "会办单位"]
FIELDS = ["交通", "教育", "医疗", "农业", "环境"]


def meeting_workbook(deputies: list[tuple[str, str]], first_number: int) -> bytes:
    """1,500 rows: two thirds 独办, one third 主办+会办, spread over the demo units."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    units = [name for _code, name, _kind in demo.UNITS]
    for i in range(COUNT):
        name, city = deputies[i % len(deputies)]
        lead, co = units[i % len(units)], units[(i + 7) % len(units)]
        sole = i % 3
        sheet.append([first_number + i, f"关于第{i}项民生工作的建议", name, city, FIELDS[i % 5],
                      "独办" if sole else "主办+会办", lead, "" if sole else co])
    path = DATA / "assign-1500.xlsx"
    workbook.save(path)
    return path.read_bytes()


def main() -> None:
    DATA.mkdir(exist_ok=True)
    target = DATA / "assign-run.db"
    for suffix in ("", "-wal", "-shm", ".writer"):
        (DATA / f"assign-run.db{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    upgrade(url)
    db = Database(url)
    with db.write() as s:
        demo.load(s)
    with db.session() as s:
        deputies = s.execute(select(Deputy.name, Deputy.electoral_unit)).all()
        first = s.scalar(select(func.max(Suggestion.number))) + 1
    meeting_workbook(deputies, first)
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "webui.cli", "import",
                           str(DATA / "assign-1500.xlsx")], cwd=ROOT, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit("jianyi import failed")
    with db.session() as s:
        imported = s.scalar(select(func.count()).select_from(Suggestion)
                            .where(Suggestion.number >= first))
        acks = s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready"))
    db.dispose()
    assert imported == COUNT, imported
    report("assign_1500_s", elapsed, "s")
    report("assign_1500_open_acknowledgements", acks, "tasks")


if __name__ == "__main__":
    main()
