"""`python -m tests.workflows.fuzz` (`make fuzz`): random walks until enough cases were walked.

Environment:
  JIANYI_FUZZ_CASES     cases to walk at least (default 2000)
  JIANYI_FUZZ_EXAMPLES  walks per batch (default 100); a batch is one hypothesis run with a seed
  JIANYI_FUZZ_SEED      the first batch's seed (default: random); batch i uses seed + i
  JIANYI_FUZZ_JOBS      processes in parallel (default 1; SQLite only), each its own seeds
  JIANYI_FUZZ_DATABASE_URL  walk on PostgreSQL instead of SQLite files (one job only)
  JIANYI_FUZZ_REPLAY    a blob printed by a failure (@reproduce_failure): replays that walk
  JIANYI_FUZZ_STRICT=1  the known-broken invariants fail too

Prints `FUZZ walks=… cases=… steps=… violations=…` at the end; exits 1 on a violation, with the
command that replays the failing batch.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time
from collections import Counter

os.environ.setdefault("JIANYI_FUZZ_PROFILE", "long")


def _run(seed: int, cases: int, url: str | None, queue) -> None:
    """One process: batches of walks from `seed` on until `cases` cases were walked."""
    from hypothesis import reproduce_failure
    from hypothesis import seed as with_seed
    from hypothesis.stateful import run_state_machine_as_test

    import workflows.users
    from . import machine, profiles
    workflows.users.HASH_METHOD = "pbkdf2:sha256:1000"  # dozens of users per walk on PostgreSQL
    failed, batch = None, 0
    while machine.TALLY["cases"] < cases and failed is None:
        walks = machine.for_backend("postgresql" if url else "sqlite", url)
        blob = os.environ.get("JIANYI_FUZZ_REPLAY")
        walks = reproduce_failure(__import__("hypothesis").__version__, blob.encode())(walks) \
            if blob else with_seed(seed + batch)(walks)
        try:
            run_state_machine_as_test(walks, settings=profiles.profile("long"))
        except BaseException as err:  # noqa: BLE001 - reported with its replay
            # hypothesis attaches the shrunk steps and the @reproduce_failure blob as notes
            notes = "\n".join(getattr(err, "__notes__", []))
            strict = os.environ.get("JIANYI_FUZZ_STRICT")
            failed = (f"batch seed {seed + batch}: {type(err).__name__}: {err}\n{notes}\n"
                      f"replay: {f'JIANYI_FUZZ_STRICT={strict} ' if strict else ''}"
                      f"JIANYI_FUZZ_SEED={seed + batch} JIANYI_FUZZ_CASES=1 "
                      f"JIANYI_FUZZ_JOBS=1 make fuzz")
        batch += 1
        print(f"  seed {seed}: batch {batch} done, cases={machine.TALLY['cases']} "
              f"steps={machine.TALLY['steps']}", flush=True)
        if blob:
            break
    queue.put((dict(machine.TALLY), dict(machine.KNOWN), failed))


def main() -> int:
    cases = int(os.environ.get("JIANYI_FUZZ_CASES", "2000"))
    url = os.environ.get("JIANYI_FUZZ_DATABASE_URL")
    jobs = 1 if url else max(1, int(os.environ.get("JIANYI_FUZZ_JOBS", "1")))
    seed = int(os.environ.get("JIANYI_FUZZ_SEED") or random.randrange(2 ** 31))
    print(f"FUZZ seed={seed} jobs={jobs} target cases={cases} "
          f"backend={'postgresql' if url else 'sqlite'}", flush=True)
    started = time.monotonic()
    queue = multiprocessing.get_context("fork").Queue()
    seeds = [seed + 1_000_000 * j for j in range(jobs)]
    share = -(-cases // jobs)
    if jobs == 1:
        _run(seeds[0], share, url, queue)
        results = [queue.get()]
    else:
        workers = [multiprocessing.get_context("fork").Process(
            target=_run, args=(s, share, url, queue)) for s in seeds]
        for w in workers:
            w.start()
        results = [queue.get() for _ in workers]
        for w in workers:
            w.join()
    tally, known, failures = Counter(), {}, []
    for part, part_known, failed in results:
        tally.update(part)
        for name, example in part_known.items():
            known.setdefault(name, example)
        if failed:
            failures.append(failed)
    seconds = time.monotonic() - started
    from . import machine
    machine.TALLY.clear(), machine.TALLY.update(tally)
    machine.KNOWN.clear(), machine.KNOWN.update(known)
    print(machine.report() + f" seconds={seconds:.0f} steps_per_s={tally['steps'] / seconds:.1f}")
    tasks = sorted((k[5:], v) for k, v in tally.items() if k.startswith("task:"))
    print("  tasks completed: " + ", ".join(f"{k}={v}" for k, v in tasks))
    print("  also: " + ", ".join(f"{k}={tally[k]}" for k in
                                 ("ticks", "races", "refused", "accounts_given")))
    for name, example in sorted(known.items()):
        print(f"  known broken [{name}] ({tally['known:' + name]} steps), e.g. {example}")
    for failed in failures:
        print("FAILED " + failed, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
