"""The database fixture of tests/db, for the check tests (the instance is in tests/conftest.py)."""

from tests.db.conftest import db_url  # noqa: F401
