"""``BS_HEARTBEAT_URL``: real runs ping a loopback HTTP endpoint started by the test; a dead or slow monitor never fails the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.monitoring.heartbeat import ping_url
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.e2e import crawl
from tests.loopback.site import LoopbackSite


class Monitor(ThreadingHTTPServer):
    """A cron monitor on 127.0.0.1: keeps (method, path, body) of each ping; waits ``delay`` seconds before answering."""

    daemon_threads = True

    def __init__(self) -> None:
        self.pings: list[tuple[str, str, str]] = []
        self.delay = 0.0
        super().__init__(("127.0.0.1", 0), _MonitorHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ping/0f1e2d3c"


class _MonitorHandler(BaseHTTPRequestHandler):
    server: Monitor

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        time.sleep(self.server.delay)
        self.server.pings.append(("POST", self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def monitor() -> Iterator[Monitor]:
    server = Monitor()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=3) as running:
        yield running


def test_ping_urls() -> None:
    assert ping_url("https://hc-ping.com/abc", True) == "https://hc-ping.com/abc"
    assert ping_url("https://hc-ping.com/abc/", False) == "https://hc-ping.com/abc/fail"
    assert ping_url("https://hc-ping.com/abc?rid=1", False, ) == "https://hc-ping.com/abc/fail?rid=1"
    assert ping_url("https://hc-ping.com/abc", True, start=True) == "https://hc-ping.com/abc/start"


def test_success_and_failure_pings(site: LoopbackSite, monitor: Monitor, tmp_path: Path) -> None:
    settings = {"BS_BASE_URL": site.base_url, "BS_HEARTBEAT_URL": monitor.url, "BS_HEARTBEAT_START": "True"}
    ok = crawl("latest", tmp_path, settings=settings)
    assert ok.status == EXIT_OK, ok.log[-3000:]
    assert [(m, p) for m, p, _ in monitor.pings] == [("POST", "/ping/0f1e2d3c/start"), ("POST", "/ping/0f1e2d3c")]
    assert monitor.pings[1][2].startswith("latest: Run summary: new=") and "exit=0 (ok)" in monitor.pings[1][2]
    assert "'bs/monitoring/heartbeat_sent': 2" in ok.log

    monitor.pings.clear()
    site.block_all = True
    try:
        blocked = crawl("latest", tmp_path, settings={**settings, "BS_HEARTBEAT_START": "False"})
    finally:
        site.block_all = False
    assert blocked.status == EXIT_BLOCKED, blocked.log[-3000:]
    [(method, path, body)] = monitor.pings
    assert path == "/ping/0f1e2d3c/fail" and "exit=4" in body and "block pages" in body


def test_a_dead_or_slow_monitor_does_not_fail_the_run(site: LoopbackSite, monitor: Monitor, tmp_path: Path) -> None:
    monitor.delay = 5.0
    slow = crawl("latest", tmp_path / "slow", settings={"BS_BASE_URL": site.base_url, "BS_HEARTBEAT_URL": monitor.url, "BS_HEARTBEAT_TIMEOUT": "1"})
    assert slow.status == EXIT_OK, slow.log[-3000:]
    assert "Heartbeat to 127.0.0.1:" in slow.log and "failed (timed out)" in slow.log
    assert "0f1e2d3c" not in slow.log.split("Heartbeat to", 1)[1].split("\n", 1)[0], "the check's secret stays out of the log"

    dead = f"http://127.0.0.1:{_closed_port()}/ping/x"
    gone = crawl("latest", tmp_path / "dead", settings={"BS_BASE_URL": site.base_url, "BS_HEARTBEAT_URL": dead})
    assert gone.status == EXIT_OK, gone.log[-3000:]
    assert "'bs/monitoring/heartbeat_failed': 1" in gone.log and "Connection refused" in gone.log


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
