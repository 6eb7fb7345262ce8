"""Probes of round 11 on operating the crawler for months: cron monitors that trickle, redirect or want a
password, a run history another process holds or that gets text no UTF-8 can hold, runs that never
opened, failures that come together, and the commands' and report's edges."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from crawler.monitoring import heartbeat


# --- cron monitors: slow, redirecting, behind a password ---------------------------------------------


class Pings(ThreadingHTTPServer):
    """A monitor on 127.0.0.1 that answers as ``routes`` says: path → (status, headers, trickle seconds)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, str | None]] = []  # method, path, body, Authorization
        self.routes: dict[str, tuple[int, dict[str, str], float]] = {}
        super().__init__(("127.0.0.1", 0), _PingHandler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _PingHandler(BaseHTTPRequestHandler):
    server: Pings
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        self.server.seen.append((self.command, self.path, body, self.headers.get("Authorization")))
        status, headers, trickle = self.server.routes.get(self.path, (200, {}, 0.0))
        self.send_response(status)
        for name, value in {"Content-Length": "100" if trickle else "2", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if not trickle:
            self.wfile.write(b"OK")
            return
        for _ in range(100):  # one byte at a time: every read of the socket is quick, the answer never ends
            time.sleep(trickle)
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def pings() -> Iterator[Pings]:
    servers: list[Pings] = []

    def start() -> Pings:
        server = Pings()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    first = start()
    first.start_another = start  # type: ignore[attr-defined]
    yield first
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_monitor_that_trickles_its_answer_holds_a_ping_no_longer_than_its_timeout(pings: Pings) -> None:
    # Each read got its second, the ping as long as the monitor liked: the run's end waited 50 s and more.
    pings.routes["/hc/abc"] = (200, {}, 0.3)
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        heartbeat.send(f"{pings.base}/hc/abc", "latest: Run summary", 1.0, "bs-crawler")
    assert time.monotonic() - began < 3.0


def test_a_ping_url_with_a_user_and_password_sends_them_as_basic_auth_and_logs_only_the_host(pings: Pings) -> None:
    # urllib took "ops:s3cr%40t@127.0.0.1" for the host's name: no ping ever left, and the log line
    # that said so named the password.
    url = pings.base.replace("//", "//ops:s3cr%40t@") + "/hc/abc"
    assert heartbeat.send(url, "latest: ok", 5.0, "bs-crawler") == 200
    [(method, path, body, authorization)] = pings.seen
    assert (method, path, body) == ("POST", "/hc/abc", "latest: ok")
    assert authorization == "Basic " + base64.b64encode(b"ops:s3cr@t").decode()
    assert heartbeat.where(url) == pings.base.split("//")[1]
    assert "s3cr" not in heartbeat.where(url) and "ops" not in heartbeat.where(url)


@pytest.mark.parametrize("status", [307, 308])
def test_a_ping_redirected_with_307_or_308_is_posted_again_with_its_body(pings: Pings, status: int) -> None:
    # urllib follows neither for a POST: behind a proxy that moved the monitor, every ping failed ("HTTP 308").
    pings.routes["/hc/abc/fail"] = (status, {"Location": "/v2/hc/abc/fail"}, 0.0)
    assert heartbeat.send(f"{pings.base}/hc/abc/fail", "latest: exit=4", 5.0, "bs-crawler") == 200
    assert [(m, p, b) for m, p, b, _ in pings.seen] == [
        ("POST", "/hc/abc/fail", "latest: exit=4"),
        ("POST", "/v2/hc/abc/fail", "latest: exit=4"),
    ]


def test_the_password_of_a_ping_url_goes_to_its_own_host_only(pings: Pings) -> None:
    elsewhere: Pings = pings.start_another()  # type: ignore[attr-defined]
    pings.routes["/hc/abc"] = (308, {"Location": f"{elsewhere.base}/hc/abc"}, 0.0)
    assert heartbeat.send(pings.base.replace("//", "//ops:secret@") + "/hc/abc", "latest: ok", 5.0, "bs-crawler") == 200
    assert pings.seen[0][3] is not None
    [(method, path, body, authorization)] = elsewhere.seen
    assert (method, path, authorization) == ("POST", "/hc/abc", None)


def test_a_ping_body_with_text_no_utf8_can_hold_is_sent(pings: Pings) -> None:
    # A reason quoting a file name of bytes that are no UTF-8 (Python reads them as lone surrogates).
    assert heartbeat.send(f"{pings.base}/hc/abc/fail", "article: no such saved page: 'caf\udce9.html'", 5.0, "bs-crawler") == 200
    assert pings.seen[0][2].startswith("article: no such saved page: 'caf")


