"""Hypothesis settings for the random walks: "ci" (a fixed, derandomized budget that pytest runs
on each backend) and "long" (`make fuzz`: random seeds, many walks)."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# Walks are slow examples by nature (a database per walk, a real engine step per rule).
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci", max_examples=int(os.environ.get("JIANYI_FUZZ_EXAMPLES", "50")),
    stateful_step_count=30, derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=_QUIET)
settings.register_profile(
    "long", max_examples=int(os.environ.get("JIANYI_FUZZ_EXAMPLES", "100")),
    stateful_step_count=100, derandomize=False, database=None, deadline=None, print_blob=True,
    suppress_health_check=_QUIET,
    # a failure found in a long run is shrunk to a short replay; no example is tried twice
    phases=[Phase.generate, Phase.shrink])


def profile(name: str | None = None) -> settings:
    """The settings of a profile (JIANYI_FUZZ_PROFILE, else "ci")."""
    return settings.get_profile(name or os.environ.get("JIANYI_FUZZ_PROFILE", "ci"))
