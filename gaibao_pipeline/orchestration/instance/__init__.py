"""Workarounds of Dagster internals for bulk runs, each naming the private classes it touches.

Checked on Dagster 1.13 (the version range pyproject.toml allows); tests in
tests/orchestration/instance fail loudly when an upgrade moves what they rely on.
"""
