"""Support shared by tests (and reused by `bench/`): the app run as shipped in a subprocess, a
raw HTTP client for it, kill runs, and organisation/case data. Tests import from here, never
from `bench/`; nothing here imports pytest, so the benchmarks can use it as they are."""
