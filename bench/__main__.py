"""Run every benchmark in turn."""
from __future__ import annotations

import sys

from . import engine_bench, supervision_bench, web_bench

SUITES = {"engine": engine_bench.main, "web": web_bench.main,
          "supervision": supervision_bench.main}


def main(argv: list[str]) -> None:
    for name in argv or list(SUITES):
        SUITES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
