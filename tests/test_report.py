"""``scrapy report``: one HTML file, rendered in a real headless Chromium (Debian's package) without network."""

from __future__ import annotations

import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.history import status_words
from crawler.monitoring.report import ALARM_COLOUR, FAILED_COLOUR, KILLED_COLOUR, OK_COLOUR, render
from crawler.settings import BS_MIN_FIELD_COVERAGE
from tests.conftest import ROOT
from tests.monitoring_runs import ten_runs

pytest.importorskip("matplotlib", reason="the report needs the [report] extra")
PIL = pytest.importorskip("PIL.Image", reason="Pillow comes with matplotlib")
CHROMIUM = shutil.which("chromium")
# Chromium's own background calls (component updater, clock check, sign-in) that its flags do not all
# switch off; they go to the proxy too, which answers 404, and are not the page's.
CHROMIUM_OWN = re.compile(r"^[A-Z]+ (?:https?://)?[a-z0-9.-]*(?:google\.com|googleapis\.com|gvt1\.com)[:/]")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium: bash tests/services/chromium/install.sh")


def run(status: int | None, started: str, authors: float = 1.0) -> dict[str, Any]:
    return {
        "spider": "latest", "started": started, "finished": started, "status": status, "status_words": status_words(status),
        "reason": "ok" if status == 0 else "bad", "duration_s": 12.0,
        "counts": {"new": 5, "updated": 1, "emitted": 6, "requests": 10, "responses": 10, "blocked": 0, "failed": 0},
        "coverage": {"headline": 1.0, "authors": authors},
    }


def test_a_coverage_drop_is_marked_and_nothing_refers_outside() -> None:
    steady = render([run(0, "2026-11-01T06:00:00+00:00"), run(0, "2026-11-01T07:00:00+00:00")], BS_MIN_FIELD_COVERAGE)
    dropped = render([run(0, "2026-11-01T06:00:00+00:00"), run(5, "2026-11-01T07:00:00+00:00", authors=0.4)], BS_MIN_FIELD_COVERAGE)
    assert ALARM_COLOUR not in steady and ALARM_COLOUR in dropped
    for page in (steady, dropped):
        assert page.count("<svg") == 5 and "Content-Security-Policy" in page
        assert "src=" not in page and "<script" not in page and "@import" not in page
        assert not re.search(r"url\((?!#)", page), "only references inside the page"
    assert "No runs recorded" in render([], BS_MIN_FIELD_COVERAGE)


class CountingProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that answers 404 to everything and keeps each request line: Chromium's only way out."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: CountingProxy

    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1").strip()
        if line:
            self.server.requests.append(line)
        self.wfile.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture()
def proxy() -> Iterator[CountingProxy]:
    server = CountingProxy()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def screenshot(page: Path, shot: Path, proxy: CountingProxy, profile: Path) -> None:
    """Chromium renders ``page`` and writes a PNG; every request it makes goes to ``proxy``, loopback included."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--disable-domain-reliability", "--metrics-recording-only", "--no-pings", f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}", "--proxy-bypass-list=<-loopback>",
        "--window-size=1280,2600", f"--screenshot={shot}", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]


def pixels_of(image: Any, colour: str) -> int:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(count for count, value in image.convert("RGB").getcolors(maxcolors=1 << 20) if value == rgb)


@needs_chromium
def test_the_proxy_sees_a_page_that_does_fetch(tmp_path: Path, proxy: CountingProxy) -> None:
    """The check below can fail: a page with one outside image is seen by the proxy."""
    page = tmp_path / "fetches.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://report-test.invalid/pixel.png"></body></html>')
    screenshot(page, tmp_path / "fetches.png", proxy, tmp_path / "profile")
    assert any("report-test.invalid/pixel.png" in line for line in proxy.requests), proxy.requests


@needs_chromium
@pytest.mark.long
@pytest.mark.xdist_group("ten-runs")
def test_report_of_ten_runs_in_chromium(tmp_path_factory: pytest.TempPathFactory, proxy: CountingProxy) -> None:
    workdir = ten_runs(tmp_path_factory.mktemp("ten-runs")).workdir
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "-o", "site/report.html"], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "10 runs written to site/report.html"
    page = workdir / "site" / "report.html"
    text = page.read_text()
    assert text.count("<svg") == 5, "statuses, articles, coverage, shares, durations"
    assert "latest: 10 runs, 3 not ok" in text
    assert "field coverage too low (a site redesign?): authors" in text and "responses were block pages" in text

    shot = workdir / "report.png"
    screenshot(page, shot, proxy, workdir / "profile")
    fetched = [line for line in proxy.requests if not CHROMIUM_OWN.search(line)]
    assert fetched == [], f"opening the report fetched something: {fetched}"
    image = PIL.open(shot)
    assert image.size == (1280, 2600)
    # Drawn, not only present in the markup: the failed, killed and ok bars of the status chart, and
    # the marker of the redesign run's authors coverage under its minimum.
    assert pixels_of(image, FAILED_COLOUR) > 2000
    assert pixels_of(image, KILLED_COLOUR) > 1000
    assert pixels_of(image, OK_COLOUR) > 5000
    assert pixels_of(image, ALARM_COLOUR) > 20
