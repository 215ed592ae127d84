"""Domain fixtures live in tests/conftest.py (shared with the web tests)."""
