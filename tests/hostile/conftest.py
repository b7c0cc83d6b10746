"""The pipeline fixtures of tests/assets (instance, database), for the hostile-input tests."""

from tests.assets.conftest import instance  # noqa: F401
from tests.db.conftest import db_url  # noqa: F401
