"""`gaibao serve`: its options and defaults, and the web stack imported only when it runs."""

from __future__ import annotations

import subprocess
import sys

from gaibao_pipeline.cli import build_parser
from gaibao_pipeline.review.app.settings import ReviewSettings, is_loopback


def test_serve_defaults_to_localhost_port_8000() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.database_url, args.landing) == ("127.0.0.1", 8000, None, None)
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert (args.host, args.port) == ("0.0.0.0", 8080)


def test_the_command_line_loads_no_web_stack_or_dagster_until_asked() -> None:
    probe = (
        "import sys, gaibao_pipeline.cli; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'dagster') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_writes_need_a_token_beyond_localhost() -> None:
    # loopback addresses and names
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "review.example"))
    local = ReviewSettings.from_env(environ={})
    assert not local.writes_need_token and local.allowed_hosts == ["localhost", "127.0.0.1", "::1"]
    shared = ReviewSettings.from_env(host="0.0.0.0", environ={"GAIBAO_REVIEW_TOKEN": " t "})
    assert shared.writes_need_token and shared.token == "t" and shared.allowed_hosts == ["*"]
    assert ReviewSettings.from_env(environ={"GAIBAO_REVIEW_TOKEN": "t"}).writes_need_token
    # another loopback address answers to its own name too
    assert "127.0.0.2" in ReviewSettings.from_env(host="127.0.0.2", environ={}).allowed_hosts
