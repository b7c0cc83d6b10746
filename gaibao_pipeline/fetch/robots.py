"""robots.txt, per site, as protego reads it: what the crawler may fetch and how slowly.

A site's robots.txt is fetched once per crawl, through the same safe and polite client.
Missing (4xx) means everything is allowed; unreachable or failing (5xx, timeouts) means
nothing is fetched from that site this time (as major crawlers do), so a site in trouble
is not loaded further. A `Crawl-delay` above the configured delay slows the crawler down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from gaibao_pipeline.fetch.safety import Refused

# robots.txt beyond this size is not read (Google reads the first 500 KiB).
MAX_ROBOTS_BYTES = 512 * 1024


class RobotsUnavailable(Exception):
    """robots.txt could not be read for a reason other than its absence."""


@dataclass(frozen=True, slots=True)
class SiteRules:
    """One site's rules: a parsed robots.txt, none (all allowed), or a reason nothing is."""

    parser: Protego | None = None
    blocked: str | None = None

    def allows(self, url: str, agent: str) -> bool:
        if self.blocked:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests:
            by_rate = rate.seconds / rate.requests
            delay = max(delay or 0.0, by_rate)
        return float(delay) if delay else None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}"


class RobotsRules:
    """robots.txt of every site the crawl visits, loaded on first use and kept for the crawl."""

    def __init__(self, load: Callable[[str], bytes | None], agent: str) -> None:
        """`load(robots_url)`: the body, None when the site has none (4xx), `RobotsUnavailable` otherwise."""
        self._load = load
        self.agent = agent
        self._sites: dict[str, SiteRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules(self, url: str) -> SiteRules:
        site = origin(url)
        with self._guard:
            lock = self._locks.setdefault(site, threading.Lock())
        with lock:
            if site not in self._sites:
                self._sites[site] = self._fetch(site)
            return self._sites[site]

    def _fetch(self, site: str) -> SiteRules:
        try:
            body = self._load(f"{site}/robots.txt")
        except RobotsUnavailable as exc:
            return SiteRules(blocked=f"robots.txt of {site} could not be read ({exc}); the site is skipped")
        if body is None:
            return SiteRules()
        return SiteRules(parser=Protego.parse(body.decode("utf-8", errors="replace")))

    def check(self, url: str) -> None:
        """`Refused` when robots.txt does not let the crawler fetch `url`."""
        rules = self.rules(url)
        if rules.blocked:
            raise Refused(url, rules.blocked)
        if not rules.allows(url, self.agent):
            raise Refused(url, f"disallowed by robots.txt of {origin(url)}")
