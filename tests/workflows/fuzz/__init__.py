"""Random walks through the real process (issue 14): a hypothesis state machine, its invariants,
and a runner (`python -m tests.workflows.fuzz`, `make fuzz`)."""
