"""Benchmarks (`make bench`): each prints `BENCH <name>=<value> <unit>`; nothing here asserts."""
