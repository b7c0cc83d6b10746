"""How the crawler behaves: delays, timeouts, limits, retries, allowed hosts and its User-Agent.

A module of its own, free of httpx, so the command line can build its options without
importing the HTTP stack.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from gaibao_pipeline import __version__

CONTACT_ENV_VAR = "GAIBAO_FETCH_CONTACT"
AGENT_TOKEN = "gaibao"  # the name robots.txt rules address
PROJECT_URL = "https://pypi.org/project/gaibao-pipeline/"
USER_AGENT = f"gaibao-pipeline/{__version__} (annual disclosure report fetcher; +{PROJECT_URL})"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How the crawler behaves; every field is a command-line option and a resource field."""

    delay: float = 1.0  # seconds between two requests to one host (at least)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 300.0  # a whole response, however slowly it drips
    max_bytes: int = 100 * 1024 * 1024  # per file, decoded
    retries: int = 3  # after the first attempt
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    max_wait: float = 120.0  # the longest Retry-After or Crawl-delay obeyed
    max_redirects: int = 5
    allow_hosts: tuple[str, ...] = ()  # non-public hosts or networks allowed (tests, intranets)
    recheck_after: float = 12 * 3600.0  # a file checked more recently is not asked for again (resume)
    hosts_at_once: int = 4  # sites crawled in parallel (each still one connection at a time)
    user_agent: str = USER_AGENT
    contact: str | None = None  # an operator's URL or e-mail, added to the User-Agent

    def agent(self) -> str:
        return f"{self.user_agent[:-1]}; {self.contact})" if self.contact else self.user_agent


def configured(*, recheck_after_hours: float | None = None, **changes: Any) -> FetchSettings:
    """The defaults with `changes` (the command line's or the resource's); the operator's contact
    comes from GAIBAO_FETCH_CONTACT when not given, and every setting is checked."""
    if recheck_after_hours is not None:
        changes["recheck_after"] = recheck_after_hours * 3600
    changes["allow_hosts"] = tuple(changes.get("allow_hosts", ()))
    changes["contact"] = changes.get("contact") or os.environ.get(CONTACT_ENV_VAR, "").strip() or None
    settings = replace(FetchSettings(), **changes)
    if min(settings.delay, settings.retries, settings.backoff, settings.recheck_after) < 0:
        raise ValueError("delay, retries, backoff and recheck-after must be ≥ 0")
    if min(settings.read_timeout, settings.connect_timeout, settings.max_bytes, settings.hosts_at_once) <= 0:
        raise ValueError("timeouts and the size limit must be > 0, hosts at once ≥ 1")
    return settings
