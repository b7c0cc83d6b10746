"""The database fixture of tests/db, for the hostile-input tests (the instance: tests/conftest.py)."""

from tests.db.conftest import db_url  # noqa: F401
