"""Engine figures: per-case cost against bare SpiffWorkflow, loop growth, scheduler sweep."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import Engine, Package
from engine.scheduler import tick
from models import Database, ProcessInstance, Timer

from .common import data_url, PROCESSES, median_ms, report

OPERATORS = {"record_title": lambda call, title: {"title": title}}


def _engine_db(folder: Path) -> tuple[Database, Engine]:
    db = Database(f"sqlite:///{folder / 'engine.db'}")
    db.create_all()
    engine = Engine(operators=OPERATORS)
    with db.write() as session:
        engine.deploy(session, Package.from_folder(PROCESSES), "bench")
    return db, engine


def _run_case(db: Database, engine: Engine, process_id: str, answer, lap=None) -> None:
    """Start a case and complete its tasks one per transaction until it ends."""
    with db.write() as session:
        result = engine.start(session, process_id, {}, actor="bench")
    step = 0
    while result.status == "running":
        task_id, bpmn_id = next(iter(result.new_tasks.items()))
        with db.write() as session:
            result = engine.complete(session, task_id, "bench", answer(bpmn_id, step))
        if lap is not None:
            lap(bpmn_id)
        step += 1


class RawSpiff:
    """The same cases on bare SpiffWorkflow, serializing and deserializing after every step."""

    def __init__(self):
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_files([str(PROCESSES / "linear10.bpmn"), str(PROCESSES / "loop.bpmn")])
        self.specs = {pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid))
                      for pid in ("linear10", "loop")}
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def run_case(self, process_id: str, answer, lap=None) -> None:
        spec, subprocess_specs = self.specs[process_id]
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        state = self.serializer.serialize_json(workflow)
        step = 0
        while True:
            workflow = self.serializer.deserialize_json(state)
            tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not tasks:
                break
            task = tasks[0]
            task.data.update(answer(task.task_spec.bpmn_id, step))
            task.run()
            workflow.do_engine_steps()
            state = self.serializer.serialize_json(workflow)
            if lap is not None:
                lap(task.task_spec.bpmn_id)
            step += 1


def _loop_answer(loops: int):
    seen = {"feedback": 0}

    def answer(bpmn_id, _step):
        if bpmn_id == "feedback":
            seen["feedback"] += 1
            return {"satisfied": seen["feedback"] > loops}
        return {"note": "again"}
    return answer


def _loop_ratio(run_case, loops: int = 50, repeat: int = 5) -> float:
    """Cost of 50 feedback loops over 50 x the cost of the first loop (1.0 = no growth).

    Each loop (feedback -> rehandle) is timed inside the case, so the fixed cost of starting
    and ending a case counts in neither; per-loop medians over `repeat` cases.
    """
    def one_case() -> list[float]:
        laps, mark = [], [time.perf_counter()]

        def lap(bpmn_id):
            if bpmn_id == "rehandle":
                now = time.perf_counter()
                laps.append(now - mark[0])
                mark[0] = now
        run_case("loop", _loop_answer(loops), lap)
        return laps

    for _ in range(2):
        one_case()
    runs = [one_case() for _ in range(repeat)]
    per_loop = [statistics.median(run[i] for run in runs) for i in range(loops)]
    first = statistics.median(per_loop[:3])
    return sum(per_loop) / (loops * first)


def bench_cases(folder: Path) -> None:
    db, engine = _engine_db(folder)
    raw = RawSpiff()
    note = lambda _b, _s: {"note": "ok"}  # noqa: E731
    engine_ms = median_ms(lambda: _run_case(db, engine, "linear10", note), repeat=40)
    raw_ms = median_ms(lambda: raw.run_case("linear10", note), repeat=40)
    report("engine_case_ms", engine_ms, "ms")
    report("raw_spiff_case_ms", raw_ms, "ms")
    report("engine_over_raw", engine_ms / raw_ms, "x")
    report("loop50_over_loop1",
           _loop_ratio(lambda pid, a, lap: _run_case(db, engine, pid, a, lap)), "x")
    # The literal reading: a whole case with 50 loops against 50 whole cases with one loop.
    case1 = median_ms(lambda: _run_case(db, engine, "loop", _loop_answer(1)), repeat=15)
    case50 = median_ms(lambda: _run_case(db, engine, "loop", _loop_answer(50)), repeat=5,
                       warmup=1)
    report("loop50_case_over_50_cases_of_1", case50 / (50 * case1), "x")
    report("raw_spiff_loop50_over_loop1", _loop_ratio(raw.run_case), "x")
    db.dispose()


SWEEP_CASES = 100_000


def _sweep_db() -> tuple[Database, Engine]:
    """100,000 open cases, each with a timer due next year; built once, then reused."""
    db = Database(data_url("sweep"))
    db.create_all()
    engine = Engine(operators=OPERATORS)
    with db.session() as session:
        have = session.scalar(select(func.count()).select_from(ProcessInstance))
    if have == SWEEP_CASES:
        return db, engine
    with db.write() as session:
        version = engine.deploy(session, Package.from_folder(PROCESSES), "bench")
        due = datetime.now(timezone.utc) + timedelta(days=365)
        state = engine.start(session, "boundary_timer", {"handle_due": due.isoformat()},
                             actor="bench")
        template = session.get(ProcessInstance, state.instance_id)
        now = datetime.now(timezone.utc)
        rows = [dict(process_version_id=version.id, process_id="boundary_timer", status="running",
                     state=template.state, serializer_version=template.serializer_version,
                     version=2, started_by="bench", created_at=now, updated_at=now)
                for _ in range(SWEEP_CASES - 1)]
        session.execute(insert(ProcessInstance), rows)
        ids = session.scalars(select(ProcessInstance.id)
                              .where(ProcessInstance.id != template.id)).all()
        session.execute(insert(Timer), [
            dict(instance_id=i, task_id=f"bench-{i}", bpmn_id="handle_overdue",
                 due_at=due + timedelta(seconds=i % 86400)) for i in ids])
    return db, engine


def bench_sweep() -> None:
    db, engine = _sweep_db()
    with db.session() as session:
        open_cases = session.scalar(select(func.count()).select_from(ProcessInstance)
                                    .where(ProcessInstance.status == "running"))
    report("sweep_open_cases", open_cases, "cases")
    report("sweep_100k_ms", median_ms(lambda: tick(db, engine), repeat=50), "ms")
    db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench_cases(Path(folder))
    bench_sweep()


if __name__ == "__main__":
    main()
