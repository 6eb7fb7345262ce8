"""Ten runs of ``latest`` against the loopback site (ok, blocked, killed, a redesign that drops the authors), shared by the history and report tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_EXTRACTION, EXIT_OK
from tests.conftest import ROOT
from tests.e2e import FAST, crawl
from tests.loopback.site import LoopbackSite

NEW_PER_RUN = 6


class RedesignedSite(LoopbackSite):
    """The loopback site, where articles named in ``redesigned`` lose their byline everywhere (a redesign that drops a field)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.redesigned: set[str] = set()
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _render_article(self, article_id: str, revision: int, form: str, variant: str) -> bytes:
        if article_id not in self.redesigned:
            return super()._render_article(article_id, revision, form, variant)
        record = self.corpus.by_id[article_id]
        spec = replace(record.spec, authors=[])
        from tests.loopback.pages import render_current

        return render_current(spec, self.base_url).encode()


@dataclass
class TenRuns:
    workdir: Path
    statuses: list[int | None]  # exit status of each run as started; None: killed


_done: TenRuns | None = None


def _kill_while_running(site: LoopbackSite, workdir: Path) -> None:
    """Start a run and SIGKILL it once its run marker is written (as an OOM killer or a reboot would)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(workdir / "out-killed.jsonl")]
    # One request a second: the run lasts well past its marker (at full speed, a run over six new articles
    # ended within a second, between two looks for the marker).
    for name, value in {**FAST, "BS_BASE_URL": site.base_url, "DOWNLOAD_DELAY": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    running = workdir / ".state" / "running"
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(running.glob("*.json")):
            assert process.poll() is None, "the run to kill ended by itself"
            assert time.monotonic() < deadline, "the run never wrote its marker"
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)


def ten_runs(workdir: Path) -> TenRuns:
    """The ten runs, made once per test session (about a minute)."""
    global _done
    if _done is not None:
        return _done
    statuses: list[int | None] = []
    with RedesignedSite(articles=120, seed=11) as site:
        settings = {"BS_BASE_URL": site.base_url}

        def run(expected: int) -> None:
            result = crawl("latest", workdir, settings=settings)
            assert result.status == expected, result.log[-3000:]
            statuses.append(result.status)

        run(EXIT_OK)
        for _ in range(2):
            site.add_articles(NEW_PER_RUN)
            run(EXIT_OK)
        site.add_articles(NEW_PER_RUN)
        site.block_all = True
        run(EXIT_BLOCKED)
        site.block_all = False
        run(EXIT_OK)  # picks up what the blocked run could not fetch
        site.add_articles(NEW_PER_RUN)
        _kill_while_running(site, workdir)
        statuses.append(None)
        site.redesigned.update(r.article_id for r in site.add_articles(NEW_PER_RUN))
        run(EXIT_EXTRACTION)  # also records the killed run
        site.redesigned.clear()
        for _ in range(3):
            site.add_articles(NEW_PER_RUN)
            run(EXIT_OK)
    _done = TenRuns(workdir, statuses)
    return _done
