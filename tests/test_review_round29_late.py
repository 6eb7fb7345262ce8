"""Review of round 29's late operations merges: a look (parse, fetch) with a cache-only HTTP cache in the project's settings and robots.txt unreachable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite

# A user's project: its settings module takes the crawler's and keeps a cache-only HTTP cache (for `reextract`
# replays), as a settings.py does, not a -s given at one command.
PROJECT_SETTINGS = """\
from crawler.settings import *  # noqa: F403

HTTPCACHE_ENABLED = True
HTTPCACHE_IGNORE_MISSING = True
HTTPCACHE_DIR = {cache!r}
RETRY_TIMES = 0
"""


@pytest.mark.parametrize("command", ["fetch", "parse"])
def test_a_look_with_a_cache_only_project_fetches_nothing_when_robots_txt_cannot_be_reached(tmp_path: Path, command: str) -> None:
    """Before: round 29 had a look leave the HTTP cache alone and fetch the live page, but robots.txt's check
    still took the project's HTTPCACHE_IGNORE_MISSING for a crawl that asks the site for no page: with
    robots.txt unreachable it said so in a WARNING ("asks the site for no article page") and fetched the
    story from the site all the same, against RFC 9309's "disallow all" that a look without the cache obeys."""
    (tmp_path / "userproject.py").write_text(PROJECT_SETTINGS.format(cache=str(tmp_path / "httpcache")))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tmp_path), str(ROOT))), "SCRAPY_SETTINGS_MODULE": "userproject"}
    with LoopbackSite(articles=4, seed=29) as site:
        site.set_path_fault("/robots.txt", "500")
        story = site.base_url + site.articles[0].path
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", command, story, "-s", f"BS_BASE_URL={site.base_url}"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )
        asked = site.article_requests(site.articles[0].article_id)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "robots.txt> could not be reached (HTTP 500); RFC 9309 has a crawler then fetch nothing" in done.stderr, done.stderr[-3000:]
    assert "HTTP cache alone" not in done.stderr, done.stderr[-3000:]
    assert asked == 0
