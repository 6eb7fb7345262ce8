"""``scrapy parse <article URL>`` without ``-c`` or ``--spider``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.loopback.corpus import CURRENT
from tests.loopback.site import LoopbackSite


def test_parse_an_article_url_without_options(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    with LoopbackSite(articles=10, seed=2) as site:
        record = next(r for r in site.articles if r.layout == CURRENT)
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "parse", record.url, "-s", f"BS_BASE_URL={site.base_url}", "--nolog"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "# Scraped Items" in done.stdout, done.stdout[-3000:]
    assert f"'articleId': '{record.article_id}'" in done.stdout
    assert record.spec.headline[:30] in done.stdout
