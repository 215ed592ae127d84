"""Helpers shared by the benchmarks: data folder, timing, output format."""
from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".bench-data"  # git-ignored; large data sets are built once and reused
PROCESSES = ROOT / "tests" / "fixtures" / "processes"


def data_url(stem: str) -> str:
    """A SQLite URL under DATA whose name carries the schema's fingerprint, so a data set built
    for an older schema is never reused (it is rebuilt instead)."""
    import hashlib

    from sqlalchemy.schema import CreateTable

    from models import Base
    ddl = "".join(str(CreateTable(t)) for t in Base.metadata.sorted_tables)
    DATA.mkdir(exist_ok=True)
    return f"sqlite:///{DATA / f'{stem}-{hashlib.sha1(ddl.encode()).hexdigest()[:10]}.db'}"


def report(name: str, value: float, unit: str) -> None:
    shown = f"{value:d}" if isinstance(value, int) else f"{value:.3g}"
    print(f"BENCH {name}={shown} {unit}", flush=True)


def median_ms(run: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
