"""Running ``scrapy crawl`` in a subprocess, as a user or cron does, and reading its JSON lines."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT


# The loopback site needs no politeness; tests should not wait for AutoThrottle.
FAST = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}


@dataclass
class CrawlResult:
    """What one ``scrapy crawl`` left behind."""

    status: int
    items: list[dict[str, Any]]
    log: str

    def ids(self) -> list[str]:
        return [item["articleId"] for item in self.items]


def crawl(spider: str, workdir: Path, *args: str, settings: dict[str, str] | None = None, timeout: float = 300) -> CrawlResult:
    """``scrapy crawl <spider> <args>`` in ``workdir`` (state and output live there), output to a fresh file."""
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / f"out-{spider}-{len(list(workdir.glob('out-*.jsonl')))}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args, "-O", str(output), "-s", "LOG_LEVEL=INFO"]
    for name, value in {**FAST, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    items = [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []
    return CrawlResult(done.returncode, items, done.stderr)


def stats_from_log(log: str) -> dict[str, int]:
    """The integer stats of Scrapy's end-of-run stats dump."""
    dump = log.split("Dumping Scrapy stats:", 1)[-1]
    return {name: int(value) for name, value in re.findall(r"'([^']+)': (\d+),?\n", dump)}


def scrapy(workdir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` run in ``workdir`` with the project's settings, its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)


def history(workdir: Path) -> list[dict[str, Any]]:
    """The run history records a run in ``workdir`` (default state dir) wrote, oldest first."""
    from crawler.monitoring.history import RUNS_FILE

    path = workdir / ".state" / RUNS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
