"""Probes of round 25's leftovers: the commands besides `crawl` with their standard streams closed or full, a
damaged note of a distributed worker's older Redis state, a TLS Redis whose certificate is its own."""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import os
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crawler.distributed as distributed
from crawler.distributed import noted_generation, remember_epoch, remember_generation
from tests.conftest import ROOT
from tests.e2e import FAST, stats_from_log
from tests.loopback.site import LoopbackSite
from crawler.monitoring.verdict import EXIT_REDIS
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)
from tests.test_review_round25_distributed import OwnRedis, _last, _scrapy, tls_redis  # noqa: F401 (a TLS Redis of the test's own)

FULL = Path("/dev/full")
RECORD = {"spider": "latest", "status": 0, "started": "2026-12-01T06:00:00+00:00", "finished": "2026-12-01T06:01:00+00:00",
          "counts": {"new": 3, "emitted": 3}}


def cron_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def shell(workdir: Path, arguments: list[str], redirections: str) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGUMENTS`` run by ``/bin/sh`` with ``redirections`` after it, as a crontab line runs it."""
    line = f"{shlex.join([sys.executable, '-m', 'scrapy', *arguments])} {redirections}"
    return subprocess.run(["/bin/sh", "-c", line], cwd=workdir, env=cron_env(workdir), capture_output=True, text=True,
                          timeout=300)


def with_history(workdir: Path) -> Path:
    (workdir / ".state").mkdir()
    (workdir / ".state" / "runs.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    (workdir / "in.jsonl").write_text('{"articleId": "a1", "version": 1}\n', encoding="utf-8")
    return workdir


# --- Standard output closed or on a full disk, in every command ------------------------------------------
# `scrapy runs >&-` was an AttributeError traceback ('NoneType' object has no attribute 'flush'), and `scrapy
# runs`, `merge`, `report` or `redisclear` with stdout on a full disk an OSError traceback, exit 1 after the
# work was done: `crawl`'s guard of the standard streams was in `crawl` alone.

needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full: a file every write to fails as on a full disk")


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full", ">/dev/full 2>/dev/full", ">&- 2>&-"])
@pytest.mark.parametrize("json_lines", [False, True], ids=["table", "json"])
def test_runs_whose_table_is_lost_says_so_and_exits_1(tmp_path: Path, redirections: str, json_lines: bool) -> None:
    # The table is what `runs` is run for: lost, it is no run that worked.
    done = shell(with_history(tmp_path), ["runs", *(["--json"] if json_lines else [])], redirections)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    if "2>" not in redirections:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "standard output" in lines[0], lines


def test_runs_to_a_reader_that_took_what_it_wanted_is_still_exit_0(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-m", "scrapy", "runs", "--json"], cwd=with_history(tmp_path),
                              env=cron_env(tmp_path), stdout=writer, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(writer)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full", ">/dev/full 2>/dev/full"])
@pytest.mark.parametrize("command", ["merge", "report", "check"])
def test_a_command_whose_work_is_a_file_keeps_its_status_with_stdout_lost(tmp_path: Path, redirections: str, command: str) -> None:
    # Their line on stdout only says what was done: the work done, exit 0, and the file there.
    if command == "report":
        pytest.importorskip("matplotlib")
    arguments = {"merge": ["merge", "merged.jsonl", "in.jsonl"], "report": ["report", "-o", "report.html"],
                 "check": ["check", "-l"]}[command]
    done = shell(with_history(tmp_path), arguments, redirections)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    if command == "merge":
        assert json.loads((tmp_path / "merged.jsonl").read_text(encoding="utf-8"))["articleId"] == "a1"
    if command == "report":
        assert (tmp_path / "report.html").stat().st_size > 0


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full"])
def test_redisclear_with_stdout_lost_deletes_and_exits_0(tmp_path: Path, redis_url: str, prefix: str, redirections: str) -> None:  # noqa: F811
    import redis

    client = redis.Redis.from_url(redis_url)
    key = f"{prefix}:run:latest:requests"
    client.rpush(key, "x")
    done = shell(tmp_path, ["redisclear", "latest", "-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}"], redirections)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert client.exists(key) == 0


# --- This machine's notes of the Redis states it saw, damaged -------------------------------------------
# redis-epochs.json and redis-generations.json hold one entry per Redis, prefix (and worker) that the
# machine's workers ran on, several workers sharing the state dir. Cut (a full disk, a crash mid-write on a
# file system without ordered writes) or overwritten, the file was read as empty and written over with the
# running worker's entry alone: the other workers' notes were gone, and with them their checks for a Redis
# emptied or restarted from an older snapshot, without a word.

OTHERS_EPOCHS = {"redis://10.0.0.5:6379/0 bs": "e1", "redis://10.0.0.6:6379/0 bs": "e2"}
OTHERS_GENERATIONS = {"redis://10.0.0.5:6379/0 bs w2": {"epoch": "e1", "generation": 40},
                      "redis://10.0.0.6:6379/0 bs w3": {"epoch": "e2", "generation": 7}}
PLACE = "redis://127.0.0.1:6379/0 bs"


def cut(entries: dict[str, Any], extra: str) -> str:
    """``entries`` as JSON with ``extra`` (an entry cut short, bytes overwritten) where the object should end."""
    return json.dumps(entries)[:-1] + ", " + extra


DAMAGE = {
    "cut-in-a-key": '"redis://10.0.0.7:63',
    "cut-in-a-value": '"redis://10.0.0.7:6379/0 bs": {"epoch": "e3", "gener',
    "zeros": "\0\0\0\0",
    "bytes-overwritten": '"redis://10.0.0.7:6379/0 bs": \ufffd\ufffd}',
}


def aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_epochs_note_is_set_aside_and_its_readable_entries_kept(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "redis-epochs.json"
    text = cut(OTHERS_EPOCHS, DAMAGE[damage])
    path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        said = remember_epoch((path, PLACE), "e9")
    assert json.loads(path.read_text(encoding="utf-8")) == {**OTHERS_EPOCHS, PLACE: "e9"}
    [kept] = aside(path)
    assert said == kept, "where it was set aside, for the scheduler to count"
    assert kept.read_text(encoding="utf-8") == text, "the damaged file as it was"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0] and kept.name in warnings[0] and "2 readable entries" in warnings[0]
    # Read again: a sound file, nothing more set aside.
    assert remember_epoch((path, PLACE), "e9") is None and len(aside(path)) == 1


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_generations_note_is_set_aside_and_its_readable_entries_kept(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "redis-generations.json"
    mine = {f"{PLACE} w1": {"epoch": "e9", "generation": 30}}
    path.write_text(cut({**OTHERS_GENERATIONS, **mine}, DAMAGE[damage]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        # A lower count than the damaged file noted: the note is not lowered by it.
        said = remember_generation((path, f"{PLACE} w1"), "e9", 12)
    assert json.loads(path.read_text(encoding="utf-8")) == {**OTHERS_GENERATIONS, **mine}
    assert [said] == aside(path)
    assert noted_generation((path, "redis://10.0.0.5:6379/0 bs w2"), "e1") == 40
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


@pytest.mark.parametrize("content", [b"[1, 2]", b"null", b"\xff\xfe{", b""], ids=["list", "null", "binary", "empty"])
def test_a_notes_file_of_no_json_object_is_set_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "redis-epochs.json"
    path.write_bytes(content)
    said = remember_epoch((path, PLACE), "e9")
    assert json.loads(path.read_text(encoding="utf-8")) == {PLACE: "e9"}
    assert [p.read_bytes() for p in aside(path)] == [content]
    assert said is not None


def test_a_notes_file_that_cannot_be_written_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A full disk: at each run one more `.redis-epochs.json.XXXX` in the state dir, never removed.
    path = tmp_path / "redis-epochs.json"

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(distributed.json, "dump", full)
    remember_epoch((path, PLACE), "e9")
    remember_generation((tmp_path / "redis-generations.json", f"{PLACE} w1"), "e9", 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=4, seed=2512, legacy=0) as running:
        yield running


def test_a_worker_with_damaged_notes_runs_keeps_the_others_notes_and_counts_them(
    site: LoopbackSite, tmp_path: Path, redis_url: str, prefix: str  # noqa: F811
) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    epochs, generations = state / "redis-epochs.json", state / "redis-generations.json"
    epochs.write_text(cut(OTHERS_EPOCHS, DAMAGE["cut-in-a-value"]), encoding="utf-8")
    generations.write_text(cut(OTHERS_GENERATIONS, DAMAGE["zeros"]), encoding="utf-8")
    command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
    for value in [*(f"{k}={v}" for k, v in FAST.items()), f"REDIS_URL={redis_url}", f"BS_BASE_URL={site.base_url}",
                  f"BS_REDIS_PREFIX={prefix}", "BS_WORKER_NAME=w1", "BS_REDIS_IDLE_SECONDS=0", "LOG_LEVEL=INFO"]:
        command += ["-s", value]
    done = subprocess.run(command, cwd=tmp_path, env={**cron_env(tmp_path), "PATH": os.environ["PATH"]},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if " WARNING: " in line and ".corrupt-" in line]
    assert len(warnings) == 2, warnings
    assert stats_from_log(done.stderr).get("bs/redis/notes_set_aside") == 2
    noted_epochs = json.loads(epochs.read_text(encoding="utf-8"))
    assert OTHERS_EPOCHS.items() < noted_epochs.items() and len(noted_epochs) == 3
    noted = json.loads(generations.read_text(encoding="utf-8"))
    assert OTHERS_GENERATIONS.items() < noted.items() and len(noted) == 3
    assert len(aside(epochs)) == len(aside(generations)) == 1


# --- A TLS Redis with a certificate of its own -----------------------------------------------------------
# `rediss://` to a Redis whose certificate no authority signed (self-signed, a company's own CA): `is unreachable
# (… [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate …)`, exit 8, and no word
# of what to do about it.


def test_a_tls_redis_whose_certificate_is_not_trusted_is_told_how_to_trust_it(tls_redis: OwnRedis, tmp_path: Path) -> None:  # noqa: F811
    url = f"rediss://:tls-s3cret@127.0.0.1:{tls_redis.port}/0"
    for command in (["crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9"], ["redisclear", "latest"]):
        result = _scrapy(tmp_path / "machine", *command, "-s", f"REDIS_URL={url}")
        assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
        last = _last(result)
        assert last.startswith("error: Redis at rediss://:***@") and "CERTIFICATE_VERIFY_FAILED" in last, last
        assert "?ssl_ca_certs=/path/to/ca.pem" in last and "?ssl_cert_reqs=none" in last, last
        assert "tls-s3cret" not in result.stderr and "Traceback" not in result.stderr
    # Either, followed, is taken.
    for query in (f"ssl_ca_certs={tls_redis.folder / 'cert.pem'}", "ssl_cert_reqs=none"):
        done = _scrapy(tmp_path / "machine", "redisclear", "latest", "-s", f"REDIS_URL={url}?{query}", "-s", "BS_REDIS_PREFIX=r25l")
        assert done.returncode == 0, done.stderr[-2000:]


# --- `-o` appending to a CSV file in UTF-16 or UTF-32 ----------------------------------------------------
# A run appending to a CSV file writes its rows in the columns of the header already there (an earlier
# version's columns, other `fields`). That header was read as UTF-8: in UTF-16 or UTF-32 not at all, and
# the rows went in this run's order under the earlier header, each value under another column's name.


@pytest.fixture(scope="module")
def csv_site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=4, seed=2512, days=20, legacy=0) as running:
        yield running


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be", "utf-8-sig", "utf-8"])
def test_rows_appended_to_a_csv_file_go_under_its_header_in_any_encoding(
    csv_site: LoopbackSite, tmp_path: Path, encoding: str, gzipped: bool
) -> None:
    from tests.test_exports_probes_round25 import ENV, GZIP, _command

    name = "all.csv.gz" if gzipped else "all.csv"
    options = {"format": "csv", "encoding": encoding, **({"postprocessing": [GZIP]} if gzipped else {})}
    for fields, arguments in ((["articleId", "url", "headline"], []), (["url", "headline", "articleId"], ["-a", "fresh=1"])):
        command = _command(csv_site, {name: {**options, "fields": fields}}, *arguments)
        done = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Traceback" not in done.stderr
    data = (tmp_path / name).read_bytes()
    if gzipped:
        import gzip

        data = gzip.decompress(data)
    rows = list(csv.DictReader(io.StringIO(data.decode(encoding), newline="")))
    assert list(rows[0]) == ["articleId", "url", "headline"]
    ids = {record.article_id for record in csv_site.articles}
    assert Counter(row["articleId"] for row in rows) == Counter({i: 2 for i in ids}), rows[-1]
    assert all(row["url"].startswith("http://") for row in rows), rows[-1]


# --- `crawl article` given an address that is no story ---------------------------------------------------
# `crawl article -a url=…/latest-news` (the home page, a topic, a video, a section's front): the page was
# fetched, skipped as no article, and the run ended exit 5, "none could be extracted", the alarm a redesign
# raises, for a wrong address.

NOT_STORIES = {
    "/": "the home page",
    "/latest-news": "a listing page",
    "/latest-news/page-2": "a listing page",
    "/markets/news/page-3/": "a listing page",
    "/topic/sensex": "a topic page",
    "/video/markets-wrap-124101400008_1.html": "a video or podcast page",
    "/podcasts/the-morning-show-124101400009_1.html": "a video or podcast page",
    "/web-stories/five-stocks": "a web story or photo gallery",
    "/photo-gallery/budget-day-124101400010_1.html": "a web story or photo gallery",
}


def article_command(site: LoopbackSite, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "article", *arguments, "-s", f"BS_BASE_URL={site.base_url}"]


@pytest.mark.parametrize("path", list(NOT_STORIES))
def test_an_address_that_is_no_story_by_its_form_is_refused_before_anything_is_fetched(csv_site: LoopbackSite, tmp_path: Path, path: str) -> None:
    csv_site.reset_counts()
    story = csv_site.articles[0].url
    for arguments in (["-a", f"url={csv_site.base_url}{path}"], ["-a", f"urls={story},{csv_site.base_url}{path}"]):
        done = subprocess.run(article_command(csv_site, *arguments), cwd=tmp_path, env=cron_env(tmp_path),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr[-2000:]
        lines = done.stderr.strip().splitlines()
        assert lines == [f"error: article: '{csv_site.base_url}{path}' is {NOT_STORIES[path]}, not a story; give a story's address"], lines
    # `scrapy parse URL` checks its address as `crawl article` does.
    done = subprocess.run([sys.executable, "-m", "scrapy", "parse", f"{csv_site.base_url}{path}", "-s", f"BS_BASE_URL={csv_site.base_url}"],
                          cwd=tmp_path, env=cron_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and f"is {NOT_STORIES[path]}, not a story" in done.stderr, done.stderr[-2000:]
    assert sum(csv_site.counts.values()) == 0, "nothing fetched"


def test_a_section_front_given_is_fetched_and_said_not_an_article_with_exit_2(csv_site: LoopbackSite, tmp_path: Path) -> None:
    # `/markets/news` has a story's form under a URL scheme without ids: the page tells, once fetched.
    done = subprocess.run(article_command(csv_site, "-a", f"url={csv_site.base_url}/markets/news", "-O", "out.jsonl"),
                          cwd=tmp_path, env=cron_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    summary = [line for line in done.stderr.splitlines() if "Run summary:" in line]
    assert len(summary) == 1 and "exit=2 (not an article: the 1 address(es) given are pages of another kind (listing=1)" in summary[0], summary
    assert "none could be extracted" not in done.stderr and "Traceback" not in done.stderr
    # Beside a story, the story is written and the run is the story's.
    story = csv_site.articles[0]
    done = subprocess.run(article_command(csv_site, "-a", f"urls={csv_site.base_url}/markets/news,{story.url}", "-O", "out.jsonl"),
                          cwd=tmp_path, env=cron_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [json.loads(line)["articleId"] for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()] == [story.article_id]


@pytest.mark.parametrize("url", [
    "https://www.business-standard.com/markets/news/sensex-ends-higher-124101400008_1.html",
    "https://www.business-standard.com/amp/markets/news/sensex-ends-higher-124101400008_1.html",
    "https://www.business-standard.com/article/markets/sensex-ends-higher-119011800123_1.html",
    "https://www.business-standard.com/markets/news",
    "https://www.business-standard.com/markets/sensex-ends-higher",
    "https://hindi.business-standard.com//storypage.php?autono=124101",
    "https://mybs.in/2cXyZ9",
])
def test_story_addresses_and_those_only_their_page_can_tell_are_taken(url: str) -> None:
    from scrapy.settings import Settings

    from crawler.spiders.article import ArticleSpider

    ArticleSpider.check_usage({"url": url}, Settings({"BS_BASE_URL": "https://www.business-standard.com"}))
