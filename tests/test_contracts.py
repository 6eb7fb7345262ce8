"""``scrapy check``: the callbacks' contracts read saved pages of the project, pass offline, and fail on a broken page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 (the fixture: a loopback cron monitor)

SAMPLE_PAGE = Path("tests/pages/nextjs-2023/no-image")
SAMPLE_FEED = Path("tests/contracts/latest.rss")


def check(project: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "check", "-v", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_pass_without_a_request_to_the_site(monitor: Monitor, tmp_path: Path) -> None:  # noqa: F811
    # BS_BASE_URL is the loopback site so that any request to "the site" would be counted.
    with LoopbackSite(articles=10, seed=2) as site:
        done = check(ROOT, tmp_path, "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", f"BS_HEARTBEAT_URL={monitor.url}")
        article = check(ROOT, tmp_path, "article", "-a", f"url={site.base_url}/x-124091200347_1.html", "-s", f"BS_BASE_URL={site.base_url}")
        assert sum(site.counts.values()) == 0
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ran 6 contracts" in done.stderr and done.stderr.rstrip().endswith("OK")
    for line in ("[latest] parse_article (@returns post-hook) ... ok", "[latest] parse_feed (@source_read post-hook) ... ok"):
        assert line in done.stderr
    assert article.returncode == 0 and "Ran 3 contracts" in article.stderr, article.stderr[-3000:]
    # A check is not a run: no record in the run history, no heartbeat.
    assert not (tmp_path / ".state" / "runs.jsonl").exists() and monitor.pings == []


def test_the_contracts_fail_on_a_broken_page_and_an_unreadable_feed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "crawler", project / "crawler", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "scrapy.cfg", project / "scrapy.cfg")
    for saved in (SAMPLE_PAGE, SAMPLE_FEED):
        (project / saved).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / saved).is_dir() else shutil.copy)(ROOT / saved, project / saved)
    intact = check(project, project, "latest")
    assert intact.returncode == 0, intact.stderr[-3000:]
    # A redesign that drops the article's data, and a feed answered by a maintenance page.
    (project / SAMPLE_PAGE / "page.html").write_text("<html><head><title>Business Standard</title></head><body><p>Hello</p></body></html>")
    (project / SAMPLE_FEED).write_text("<html><body>Down for maintenance</body></html>")
    broken = check(project, project, "latest")
    assert broken.returncode == 1, broken.stderr[-3000:]
    assert "FAIL: [latest] parse_article (@returns post-hook)" in broken.stderr
    assert "FAIL: [latest] parse_feed (@source_read post-hook)" in broken.stderr
    assert "the source was not read: " in broken.stderr and "latest.rss" in broken.stderr
    assert "Traceback" not in broken.stderr.split("FAIL:", 1)[0]
