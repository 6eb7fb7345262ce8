"""A feed that overwrites its file (``-O``) says what this run emitted, also when that is nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.spiders.base import overwrite_stores_empty
from crawler.spiders.latest import LatestSpider
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite


def feeds_after_update(feeds: dict[str, dict[str, object]], priority: str = "cmdline") -> dict[str, dict[str, object]]:
    settings = Settings({name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()})
    settings.set("FEEDS", feeds, priority=priority)
    LatestSpider.update_settings(settings)
    return settings.getdict("FEEDS")


def test_an_overwritten_feed_is_stored_empty_and_the_others_are_not() -> None:
    feeds = feeds_after_update({
        "out.jsonl": {"format": "jsonlines", "overwrite": True},
        "all.jsonl": {"format": "jsonlines"},
        "kept.csv": {"format": "csv", "overwrite": True, "store_empty": False},
        "runs/%(time)s.jsonl": {"format": "jsonlines", "overwrite": True},
    })
    assert "store_empty" not in feeds["runs/%(time)s.jsonl"]  # a new file every run: none left empty
    assert feeds["out.jsonl"] == {"format": "jsonlines", "overwrite": True, "store_empty": True}
    assert feeds["all.jsonl"] == {"format": "jsonlines"}  # appended to: nothing to replace
    assert feeds["kept.csv"]["store_empty"] is False  # the user's word


def test_the_feeds_keep_their_priority() -> None:
    settings = Settings()
    settings.set("FEEDS", {"out.jsonl": {"format": "jsonlines", "overwrite": True}}, priority="cmdline")
    overwrite_stores_empty(settings)
    assert settings.getpriority("FEEDS") == 40  # cmdline
    assert settings.getdict("FEEDS")["out.jsonl"]["store_empty"] is True
    settings.set("FEEDS", {"other.jsonl": {}}, priority="project")  # a project setting does not replace -O
    assert list(settings.getdict("FEEDS")) == ["out.jsonl"]


@pytest.fixture(scope="module")
def site() -> LoopbackSite:  # type: ignore[misc]
    with LoopbackSite(articles=60, seed=11) as running:
        yield running


def test_a_cron_run_with_nothing_new_leaves_no_earlier_articles_in_its_output(site: LoopbackSite, tmp_path: Path) -> None:
    # `scrapy crawl latest -O latest.jsonl` every few minutes, a job reading the file after each run:
    # a run with nothing new left the previous run's articles there, read again as new.
    output = tmp_path / "latest.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(output), "-s", f"BS_BASE_URL={site.base_url}"]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert output.read_text(encoding="utf-8").count("\n") > 0
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "emitted=0" in second.stderr
    assert output.exists() and output.read_bytes() == b""
