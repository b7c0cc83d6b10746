"""The crawler's HTTP client: polite to the sites it visits and safe for the machine it runs on.

Built on httpx (connections, TLS, timeouts, decoding) and protego (robots.txt). This module
adds what a crawl of government sites needs around them:

- one connection per host and a delay between its requests (the larger of the configured
  delay and the site's Crawl-delay), across every thread of the crawl;
- retries with exponential backoff on 5xx, 429, 408, timeouts, dropped connections and
  truncated bodies, honouring Retry-After;
- conditional requests (If-None-Match / If-Modified-Since): an unchanged page is a 304;
- connect, read and whole-response time limits and a size cap per response;
- redirects followed here, one hop at a time, each hop checked like the first request
  (`safety`); the connection goes to the vetted address, the name is sent as Host and SNI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from gaibao_pipeline.fetch.robots import MAX_ROBOTS_BYTES, RobotsRules, RobotsUnavailable
from gaibao_pipeline.fetch.safety import AddressPolicy, Refused, check_url
from gaibao_pipeline.fetch.settings import AGENT_TOKEN, FetchSettings

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchFailed(Exception):
    """A URL that could not be fetched (after retries), with the reason in words."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class _Transient(Exception):
    """A failure worth another attempt."""


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched URL: 200 with its body, or 304 (unchanged since the validators given)."""

    url: str
    final_url: str
    status: int
    body: bytes | None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class _Gate:
    """One host's turn: one request at a time, `delay` seconds apart."""

    delay: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.lock:
            wait = self.next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self.next_at = max(self.next_at, time.monotonic() + self.delay)

    def defer(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


def _retry_after(value: str | None, limit: float) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    return min(max(seconds, 0.0), limit)


class Fetcher:
    """Fetches URLs for one crawl (thread-safe); `close()` (or `with`) releases its connections."""

    def __init__(self, settings: FetchSettings, on_request: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.policy = AddressPolicy.allowing(settings.allow_hosts)
        self.robots = RobotsRules(self._robots_body, AGENT_TOKEN)
        self._on_request = on_request or (lambda _url: None)
        self._clients: dict[str, httpx.Client] = {}
        self._gates: dict[str, _Gate] = {}
        self._guard = threading.Lock()
        self.requests = 0
        self.bytes_received = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._guard:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        robots: bool = True,
    ) -> Response:
        """GET `url`, following redirects; `Refused` (unsafe, robots) or `FetchFailed` when it cannot."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.settings.max_bytes
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            check_url(current)
            if robots:
                self.robots.check(current)
                self._obey_crawl_delay(current)
            status, response_headers, body = self._exchange(current, headers, limit)
            if status in _REDIRECTS:
                location = response_headers.get("location")
                if not location:
                    raise FetchFailed(url, f"HTTP {status} redirect without a Location", status)
                current = urljoin(current, location.strip())
                continue
            if status == 304 or 200 <= status < 300:
                return Response(
                    url=url,
                    final_url=current,
                    status=304 if status == 304 else 200,
                    body=None if status == 304 else body,
                    content_type=response_headers.get("content-type"),
                    etag=response_headers.get("etag") or (etag if status == 304 else None),
                    last_modified=response_headers.get("last-modified")
                    or (last_modified if status == 304 else None),
                )
            raise FetchFailed(url, f"HTTP {status}" + (f" at {current}" if current != url else ""), status)
        raise FetchFailed(url, f"more than {self.settings.max_redirects} redirects")

    def _obey_crawl_delay(self, url: str) -> None:
        asked = self.robots.rules(url).crawl_delay(AGENT_TOKEN)
        if asked:
            gate = self._gate((urlsplit(url).hostname or "").lower())
            gate.delay = max(gate.delay, min(asked, self.settings.max_wait))

    def _gate(self, host: str) -> _Gate:
        with self._guard:
            if host not in self._gates:
                self._gates[host] = _Gate(self.settings.delay)
            return self._gates[host]

    def _client(self, host: str) -> httpx.Client:
        # one client (one connection pool of one connection) per host name: a connection
        # opened for one name is never reused for another name on the same address
        with self._guard:
            if host not in self._clients:
                settings = self.settings
                self._clients[host] = httpx.Client(
                    timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                    follow_redirects=False,
                    trust_env=False,  # no proxy from the environment between the check and the site
                    headers={"User-Agent": settings.agent(), "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
                )
            return self._clients[host]

    def _exchange(self, url: str, headers: dict[str, str], limit: int) -> tuple[int, httpx.Headers, bytes]:
        """One hop, retried on transient failures with backoff."""
        host = (urlsplit(url).hostname or "").lower()
        gate = self._gate(host)
        attempt = 0
        while True:
            wait: float | None = None
            failed_status: int | None = None
            try:
                status, response_headers, body = self._once(url, host, headers, limit, gate)
            except _Transient as exc:
                problem = str(exc)
            else:
                if status not in _RETRY_STATUSES:
                    return status, response_headers, body
                problem, failed_status = f"HTTP {status}", status
                wait = _retry_after(response_headers.get("retry-after"), self.settings.max_wait)
            if attempt >= self.settings.retries:
                raise FetchFailed(url, f"{problem} (after {attempt + 1} attempts)", failed_status)
            gate.defer(wait if wait is not None else self.settings.backoff * 2**attempt)
            attempt += 1

    def _once(
        self, url: str, host: str, headers: dict[str, str], limit: int, gate: _Gate
    ) -> tuple[int, httpx.Headers, bytes]:
        try:
            parsed = httpx.URL(url)
            name = parsed.raw_host.decode("ascii")  # an internationalised name in its IDNA form
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise Refused(url, f"malformed URL ({exc})") from exc
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        with gate.turn():
            address = self.policy.vet(url, name, port)
            target = parsed.copy_with(host=address)
            netloc = f"[{name}]" if ":" in name else name
            sent = {**headers, "Host": netloc if parsed.port is None else f"{netloc}:{port}"}
            extensions = {"sni_hostname": name} if parsed.scheme == "https" else {}
            self._on_request(url)
            with self._guard:
                self.requests += 1
            try:
                return self._read(self._client(host), url, target, sent, extensions, limit)
            except httpx.TimeoutException as exc:
                raise _Transient(f"timed out ({type(exc).__name__})") from exc
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise _Transient(f"connection failed or body cut short ({exc})") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(url, f"{type(exc).__name__}: {exc}") from exc

    def _read(
        self,
        client: httpx.Client,
        url: str,
        target: httpx.URL,
        headers: dict[str, str],
        extensions: dict[str, str],
        limit: int,
    ) -> tuple[int, httpx.Headers, bytes]:
        deadline = time.monotonic() + self.settings.total_timeout
        with client.stream("GET", target, headers=headers, extensions=extensions) as response:
            status = response.status_code
            if not 200 <= status < 300:
                return status, response.headers, b""
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchFailed(url, f"declared {int(declared):,} bytes; the limit is {limit:,}", status)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FetchFailed(url, f"larger than the limit of {limit:,} bytes", status)
                if time.monotonic() > deadline:
                    raise _Transient(f"response took longer than {self.settings.total_timeout:.0f} s")
            with self._guard:
                self.bytes_received += len(body)
            return status, response.headers, bytes(body)

    def _robots_body(self, robots_url: str) -> bytes | None:
        try:
            response = self.get(robots_url, max_bytes=MAX_ROBOTS_BYTES, robots=False)
        except FetchFailed as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return None
            raise RobotsUnavailable(exc.reason) from exc
        except Refused as exc:
            raise RobotsUnavailable(exc.reason) from exc
        return response.body
