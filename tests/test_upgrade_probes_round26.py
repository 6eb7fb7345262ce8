"""Probes of round 26: a `git pull` between two cron runs, this release on what an older one left on disk, and back."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.verdict import EXIT_STATE
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_distributed_probes_round24b import _port

# Releases whose state on disk differs, oldest first: before run markers and the feed records' end
# marker (seen-store schema 1); run markers and history, schema 1; schema 2 (removed stories); schema 3
# (aliases) with the content hash that still counts the Last Updated date.
BEFORE_END_MARKER = "f01568633091e61bd3acbaf879ec1c3c21c1934f"
SCHEMA_1 = "512b17441bf1280a4ebfd2196b1af6184663db1f"
SCHEMA_2 = "94f7625c9ecf72272af4ac6ed7ee46a81d6f8c2e"
SCHEMA_3_DATED_HASH = "8a5d6964258172ca5940a2832e3bc2d5dff4f4eb"
RELEASES = [BEFORE_END_MARKER, SCHEMA_1, SCHEMA_2, SCHEMA_3_DATED_HASH]
# Those that keep a run history (`scrapy runs`).
WITH_HISTORY = {SCHEMA_1, SCHEMA_2, SCHEMA_3_DATED_HASH}

# A run kills itself (SIGKILL) as its Nth item is scraped, before any feed wrote it: the article is
# claimed in the seen-store, the items before it written. Loaded by old and new code alike (it imports
# only Scrapy), from a folder of its own: the old tree's `tests` package shadows ours.
KILLER = '''
import os, signal
from scrapy import signals

class KillAtItem:
    def __init__(self, crawler):
        self.left = int(os.environ["KILL_AT_ITEM"])
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item):
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)
'''


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The releases' code, from this repository's history (`git archive`: no worktree is added)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the older releases come from the repository's history")
    made: dict[str, Path] = {}
    for sha in RELEASES:
        if _git("cat-file", "-e", f"{sha}^{{commit}}").returncode != 0:
            pytest.skip(f"commit {sha[:7]} is not in this clone (a shallow one?): the older releases come from its history")
        archive = _git("archive", sha, "crawler", "scrapy.cfg")
        assert archive.returncode == 0, archive.stderr
        target = tmp_path_factory.mktemp(f"release-{sha[:7]}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")
        made[sha] = target
    killer = tmp_path_factory.mktemp("killer")
    (killer / "upgrade_killer.py").write_text(KILLER)
    made["killer"] = killer
    return made


@pytest.fixture(scope="module")
def site() -> Any:
    with LoopbackSite(articles=16, seed=26, legacy=4, port=_port()) as running:
        yield running


def scrapy(code: Path, workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` of the release at ``code`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(code), "SCRAPY_SETTINGS_MODULE": "crawler.settings", **(env or {})}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=environment, capture_output=True,
                          text=True, timeout=300)


def crawl(code: Path, workdir: Path, site: LoopbackSite, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    settings = {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", "HTTPCACHE_ENABLED": "1",
                "HTTPCACHE_DIR": str(workdir / "cache")}
    options = [part for name, value in settings.items() for part in ("-s", f"{name}={value}")]
    return scrapy(code, workdir, "crawl", "latest", *args, *options, env=env)


def extensions_of(code: Path) -> dict[str, int | None]:
    """The release's EXTENSIONS (a setting given with -s replaces the project's whole dict)."""
    done = subprocess.run([sys.executable, "-c", "import json; from crawler.settings import EXTENSIONS; print(json.dumps(EXTENSIONS))"],
                          cwd=code, env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    extensions: dict[str, int | None] = json.loads(done.stdout)
    return extensions


def ids_in(path: Path) -> Counter[str]:
    return Counter(json.loads(line)["articleId"] for line in path.read_text().splitlines() if line.strip())


def every_article(site: LoopbackSite) -> set[str]:
    return {record.article_id for record in site.articles}


def runs_shown(workdir: Path) -> list[str]:
    done = scrapy(ROOT, workdir, "runs", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line)["status_words"] for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("release", RELEASES, ids=lambda sha: sha[:7])
def test_new_code_carries_on_after_an_older_release(trees: dict[str, Path], site: LoopbackSite, tmp_path: Path, release: str) -> None:
    """An older release's run, then this one's on the same state dir, -o file and HTTP cache: nothing
    emitted twice, no article fetched again, both runs in the history, the old cache read again."""
    old = crawl(trees[release], tmp_path, site, "-o", "out.jsonl")
    assert old.returncode == 0, old.stderr[-3000:]
    assert set(ids_in(tmp_path / "out.jsonl")) == every_article(site)
    site.reset_counts()
    new = crawl(ROOT, tmp_path, site, "-o", "out.jsonl")
    assert new.returncode == 0, new.stderr[-3000:]
    assert "Traceback" not in new.stderr, new.stderr[-3000:]
    assert ids_in(tmp_path / "out.jsonl") == Counter(every_article(site)), "every article exactly once"
    assert site.article_requests() == 0, "the run after the upgrade fetches no article again"
    assert runs_shown(tmp_path) == (["ok", "ok"] if release in WITH_HISTORY else ["ok"])
    again = scrapy(ROOT, tmp_path, "crawl", "reextract", "-a", f"source={tmp_path / 'cache' / 'latest'}", "-O", "re.jsonl")
    assert again.returncode == 0, again.stderr[-3000:]
    assert ids_in(tmp_path / "re.jsonl") == Counter(every_article(site)), "the older release's cache is read whole"


@pytest.mark.parametrize("overwrite", ["-o", "-O"])
@pytest.mark.parametrize("release", RELEASES, ids=lambda sha: sha[:7])
def test_new_code_settles_an_older_release_killed_mid_run(
    trees: dict[str, Path], site: LoopbackSite, tmp_path: Path, release: str, overwrite: str
) -> None:
    """An older release's run killed (SIGKILL) with articles written and one claimed, then this release's
    run from cron, the same command (`-o` or `-O`, the same JOBDIR): the file ends with every article
    exactly once. (Before: with `-O` after a release of before the feed records' end marker, the killed
    run's articles, seen, were overwritten and lost.)"""
    job = ["-s", f"JOBDIR={tmp_path / 'job'}"]
    killer = {"PYTHONPATH": f"{trees[release]}{os.pathsep}{trees['killer']}", "KILL_AT_ITEM": "6"}
    extension = ["-s", f"EXTENSIONS={json.dumps({**extensions_of(trees[release]), 'upgrade_killer.KillAtItem': -100})}"]
    old = crawl(trees[release], tmp_path, site, overwrite, "out.jsonl", *job, *extension, env=killer)
    assert old.returncode == -9, old.stderr[-3000:]
    assert 0 < len(ids_in(tmp_path / "out.jsonl")) < len(every_article(site))
    new = crawl(ROOT, tmp_path, site, overwrite, "out.jsonl", *job)
    assert new.returncode == 0, new.stderr[-3000:]
    assert "Traceback" not in new.stderr, new.stderr[-3000:]
    assert ids_in(tmp_path / "out.jsonl") == Counter(every_article(site)), "every article exactly once"
    if release in WITH_HISTORY:
        assert runs_shown(tmp_path) == ["ok", "killed"]


@pytest.mark.parametrize("release", [SCHEMA_1, SCHEMA_2, SCHEMA_3_DATED_HASH], ids=lambda sha: sha[:7])
def test_an_older_release_refuses_this_releases_store(trees: dict[str, Path], site: LoopbackSite, tmp_path: Path, release: str) -> None:
    """Rolled back after a run of this release, an older one refuses the seen-store in one line, exit 7,
    and leaves it as it was. (Before: the release of schema 3 before this content hash read the store and
    took each story it fetched again for a newer date, saved unedited, for changed: emitted twice.)"""
    new = crawl(ROOT, tmp_path, site, "-o", "out.jsonl")
    assert new.returncode == 0, new.stderr[-3000:]
    store = tmp_path / ".state" / "seen.sqlite3"
    db = sqlite3.connect(store)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = store.read_bytes()
    old = crawl(trees[release], tmp_path, site, "-o", "out.jsonl")
    assert old.returncode == EXIT_STATE, old.stderr[-3000:]
    assert "newer than this crawler" in old.stderr
    assert "Traceback" not in old.stderr
    assert store.read_bytes() == before, "the store is left as it was"
    assert ids_in(tmp_path / "out.jsonl") == Counter(every_article(site))
