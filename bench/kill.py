"""`lost_after_kill` for `make bench`: a kill run (tests/support/kill.py) on the load data set."""
from __future__ import annotations

from tests.support.kill import kill_run, work_by_user


def main() -> None:
    """`lost_after_kill`: a bounded kill run on the load data set (PostgreSQL by default)."""
    from .common import report
    from .load import N_UNITS, fresh_load_database
    from tests.support.data import PASSWORD
    from workflows.demo import UNITS

    db = fresh_load_database()
    work = work_by_user(db, {code: f"{code}_handler" for code, _n, _k in UNITS[:N_UNITS]})
    work = {user: tasks[:40] for user, tasks in work.items()}
    run = kill_run(db, work, PASSWORD, kills=2, every=60, budget_s=60)
    report("kill_acknowledged", len(run.acknowledged), "completions")
    report("kill_workers_killed", len(run.killed), "workers")
    report("kill_cut_off", run.failed, "requests")
    report("lost_after_kill", len(run.lost), "completions")
    report("kill_inconsistent", len(run.problems), "problems")
    db.dispose()
