"""Run every benchmark in turn."""
from __future__ import annotations

import sys

from . import assign_bench, engine_bench, kill, supervision_bench, web_bench

SUITES = {"engine": engine_bench.main, "web": web_bench.main,
          "supervision": supervision_bench.main, "assign": assign_bench.main,
          "kill": kill.main}


def main(argv: list[str]) -> None:
    for name in argv or list(SUITES):
        SUITES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
