"""Random walks through the real process keep every rule (issue 14), on SQLite and PostgreSQL.

A fixed, derandomized budget (profile "ci", tests/workflows/fuzz/profiles.py); `make fuzz` runs
the long one. A failure prints the steps that break an invariant and a blob to replay them
(README, "Random walks").
"""
from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from tests.conftest import BACKENDS, PG_URL

from . import machine, profiles


@pytest.mark.timeout(600)
@pytest.mark.parametrize("backend", BACKENDS)
def test_random_walks_keep_the_rules(backend):
    machine.reset()
    try:
        run_state_machine_as_test(machine.for_backend(backend, PG_URL),
                                  settings=profiles.profile())
    finally:
        print("\n" + machine.report())
        for name, example in sorted(machine.KNOWN.items()):
            print(f"  known broken [{name}] e.g. {example}")
