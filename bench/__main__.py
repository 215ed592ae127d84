"""Run every benchmark in turn, each suite in a fresh process (`python -m bench [suite ...]`)."""
from __future__ import annotations

import subprocess
import sys

from . import (assign_bench, bulletin_bench, engine_bench, kill, people_bench, publication_bench,
               supervision_bench, web_bench)

SUITES = {"engine": engine_bench.main, "web": web_bench.main,
          "supervision": supervision_bench.main, "assign": assign_bench.main,
          "kill": kill.main, "people": people_bench.main, "bulletin": bulletin_bench.main,
          "publication": publication_bench.main}


def main(argv: list[str]) -> None:
    names = argv or list(SUITES)
    if len(names) == 1:
        SUITES[names[0]]()
        return
    # One process per suite: the load generator of one figure must not carry the heap (and the
    # collector pauses) of the suites before it.
    for name in names:
        subprocess.run([sys.executable, "-m", "bench", name], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
