"""What the review app is configured with: its database, the landing folder, who may write.

Read from the environment when the app is built (`gaibao serve`), never at import time:
GAIBAO_DATABASE_URL (as the pipeline), GAIBAO_LANDING_DIR (where `source_files.source_path`
is relative to, as for `gaibao run`), GAIBAO_REVIEW_TOKEN (the token writes need when the
app listens beyond this machine), GAIBAO_REVIEW_SECRET (signs the forms' CSRF tokens; a
random one per process otherwise).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gaibao_pipeline.db import database_url_from_env
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.landing import default_landing_dir

TOKEN_ENV_VAR = "GAIBAO_REVIEW_TOKEN"
SECRET_ENV_VAR = "GAIBAO_REVIEW_SECRET"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    database_url: str
    landing_dir: Path
    host: str = "127.0.0.1"  # the address the app listens on: decides whether writes need a token
    token: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    limits: Limits = field(default_factory=Limits)  # for re-reading a source file to show its lines

    @property
    def listens_beyond_localhost(self) -> bool:
        return not is_loopback(self.host)

    @property
    def writes_need_token(self) -> bool:
        return self.listens_beyond_localhost or self.token is not None

    @property
    def allowed_hosts(self) -> list[str]:
        """Host headers accepted: on loopback only this machine's names (no DNS rebinding)."""
        if self.listens_beyond_localhost:
            return ["*"]
        return list(dict.fromkeys([*LOOPBACK_NAMES, self.host.strip("[]")]))

    @classmethod
    def from_env(
        cls,
        *,
        host: str = "127.0.0.1",
        database_url: str | None = None,
        landing_dir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ReviewSettings:
        env = os.environ if environ is None else environ
        secret = env.get(SECRET_ENV_VAR, "").encode()
        return cls(
            database_url=database_url or database_url_from_env(env),
            landing_dir=landing_dir or default_landing_dir(),
            host=host,
            token=env.get(TOKEN_ENV_VAR, "").strip() or None,
            secret=secret or secrets.token_bytes(32),
            limits=Limits.from_env(env),
        )
