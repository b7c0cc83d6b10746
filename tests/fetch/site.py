"""A small web server on 127.0.0.1 (port 0) serving a site the tests build, and logging every request.

Routes can answer slowly, fail with 503 a number of times before succeeding, or cut their
body short once (a Content-Length larger than what is sent). Every answer carries an ETag
and a Last-Modified; a matching If-None-Match or If-Modified-Since gets a 304 with no body.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Mon, 05 Feb 2024 08:00:00 GMT"


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # for redirects
    fail_first: int = 0  # answer 503 this many times first
    truncate_first: int = 0  # cut the body short this many times first
    delay: float = 0.0  # seconds before answering
    served: int = 0

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    host: str
    status: int
    sent: int  # body bytes sent
    headers: dict[str, str]


@dataclass
class Site:
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Hit] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str, **options: object) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, **options)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def hits(self, path: str | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if path is None or h.path == path]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:  # quiet
            pass

        def _answer(self, status: int, headers: dict[str, str], body: bytes, *, cut: bool = False) -> None:
            sent = body[: len(body) // 2] if cut else body
            # logged before answering: the client may act on the answer at once
            with site.lock:
                site.log.append(
                    Hit(
                        self._arrived,
                        self.path,
                        self.headers.get("Host", ""),
                        status,
                        len(sent),
                        dict(self.headers),
                    )
                )
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(sent)
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading (a size cap)
                self.close_connection = True
                return
            if cut:
                self.wfile.flush()
                self.close_connection = True

        def do_GET(self) -> None:
            self._arrived = time.monotonic()
            route = site.routes.get(self.path)
            if route is None:
                self._answer(404, {"Content-Type": "text/plain"}, b"not found")
                return
            route.served += 1
            if route.delay:
                time.sleep(route.delay)
            if route.served <= route.fail_first:
                self._answer(503, {"Content-Type": "text/plain", "Retry-After": "0"}, b"busy")
                return
            if route.location is not None:
                self._answer(route.status, {"Location": route.location}, b"")
                return
            validators = {"ETag": route.etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == route.etag or (
                "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self._answer(304, validators, b"")
                return
            cut = route.served <= route.fail_first + route.truncate_first
            self._answer(
                route.status, {"Content-Type": route.content_type, **validators}, route.body, cut=cut
            )

    return Handler


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
