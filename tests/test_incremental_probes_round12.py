"""Scheduled incremental runs, round 12: output configurations and cron situations the earlier rounds
did not try, each run as cron runs it (``scrapy crawl`` in a subprocess against the loopback site)
or on the seen-store and recovery directly."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from scrapy.extensions import feedexport

from crawler import settings as project_settings
from crawler.extraction import Article
from crawler.incremental.feedstorage import unwritable_feeds
from crawler.incremental.recovery import cut_partial_line, cut_trailing_items, ids_in_feed, recover_pending
from crawler.incremental.store import FORGOTTEN_AT_END, FeedRecord, PendingArticle, SqliteSeenStore
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.killers import ORDER
from tests.loopback.site import LoopbackSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
KILLER = json.dumps({**project_settings.EXTENSIONS, "tests.killers.KillAtConfirm": ORDER})
GZIP = "scrapy.extensions.postprocessing.GzipPlugin"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=7, days=5, legacy=0) as running:
        yield running


def archive(site: LoopbackSite, workdir: Path, *arguments: str, kill_at: int = 0, **settings: str) -> tuple[int, str]:
    """One ``archive`` run in ``workdir`` (its state dir shared by the runs there): status and log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    values = {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", **settings}
    if kill_at:
        values["EXTENSIONS"] = KILLER
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, cwd=workdir, env={**ENV, "KILL_AT": str(kill_at)}, capture_output=True, timeout=300)
    return done.returncode, done.stderr.decode(errors="replace")


def rows(path: Path, encoding: str = "utf-8", delimiter: str = ",", header: bool = True) -> list[dict[str, Any]]:
    """The items of a JSON lines or CSV file, plain or gzip."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        data, name = gzip.decompress(data), name[:-3]
    if encoding == "utf-16":
        # Scrapy encodes each JSON line on its own: each has its byte order mark.
        text = "".join(part.decode("utf-16-le") for part in data.split(codecs.BOM_UTF16_LE) if part)
    else:
        text = data.decode(encoding)
    if name.endswith(".csv"):
        names = None if header else [field.name for field in fields(Article)]
        return list(csv.DictReader(io.StringIO(text, newline=""), fieldnames=names, delimiter=delimiter))
    return [json.loads(line) for line in text.splitlines()]


# --- a feed whose `fields` rename the id, or leave it out -----------------------------------

RENAMED = {"articleId": "id", "version": "v", "headline": "title", "url": "link"}


@pytest.mark.parametrize(
    ("name", "options", "key"),
    [
        ("a.jsonl", {"format": "jsonlines", "fields": RENAMED}, "id"),
        ("a.csv", {"format": "csv", "fields": RENAMED}, "id"),
        ("a.jsonl", {"format": "jsonlines", "fields": ["headline", "url"]}, "url"),
        ("a.jsonl.gz", {"format": "jsonlines", "fields": ["headline", "url"], "postprocessing": [GZIP]}, "url"),
        ("a.csv", {"format": "csv", "encoding": "utf-16"}, "articleId"),
        ("a.jsonl", {"format": "jsonlines", "encoding": "utf-16"}, "articleId"),
        ("a.jsonl.gz", {"format": "jsonlines", "encoding": "utf-16", "postprocessing": [GZIP]}, "articleId"),
        ("a.csv", {"format": "csv", "item_export_kwargs": {"delimiter": ";"}}, "articleId"),
        ("a.csv.gz", {"format": "csv", "item_export_kwargs": {"delimiter": ";"}, "postprocessing": [GZIP]}, "articleId"),
        ("a.csv", {"format": "csv", "item_export_kwargs": {"include_headers_line": False}}, "articleId"),
    ],
    ids=["renamed-jsonl", "renamed-csv", "no-id", "no-id-gzip", "utf16-csv", "utf16-jsonl", "utf16-gzip", "semicolon-csv", "semicolon-gzip", "headerless-csv"],
)
def test_a_killed_runs_articles_are_told_in_a_feed_whose_fields_or_encoding_are_not_the_default(
    site: LoopbackSite, tmp_path: Path, name: str, options: dict[str, Any], key: str
) -> None:
    """Killed between the feed taking an article and the seen-store confirming it: recovery looked
    for ``articleId`` in the file, found none, and the next run wrote the article a second time; in
    UTF-16 it also cut the file by one byte (its last line break's second byte), and every character
    after was garbled."""
    feeds = "FEEDS=" + json.dumps({str(tmp_path / "out" / name): options})
    status, log = archive(site, tmp_path, "-s", feeds, kill_at=5)
    assert status == -signal.SIGKILL, log[-3000:]
    status, log = archive(site, tmp_path, "-s", feeds)
    assert status == 0, log[-3000:]
    given = options.get("item_export_kwargs", {})
    found = rows(tmp_path / "out" / name, options.get("encoding", "utf-8"), given.get("delimiter", ","), given.get("include_headers_line", True))
    counts = Counter(row[key] for row in found)
    assert len(counts) == len(site.articles)
    assert [value for value, n in counts.items() if n > 1] == []
    assert list((tmp_path / ".state" / "receipts").glob("*")) == []


def test_recovery_reads_an_article_under_the_names_its_feed_gives_it(tmp_path: Path) -> None:
    feed = tmp_path / "a.jsonl"
    feed.write_text('{"id": "124010100001", "v": 2}\n{"id": "124010100002", "v": 1}\n')
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        store.record_feed("archive:killed", FeedRecord(str(feed), keys=("id", "v"), forgotten_at_end=True))
        store.add_pending(PendingArticle("124010100001", 2, "h", None, None, "archive:killed"))
        store.add_pending(PendingArticle("124010100002", 2, "h", None, None, "archive:killed"))
        assert recover_pending(store, "archive:now") == (1, 1)
        assert store.get("124010100001") is not None and store.get("124010100002") is None
    finally:
        store.close()


@pytest.mark.parametrize(
    "record",
    [
        FeedRecord("/o/a.jsonl", feed="/o/a.jsonl"),
        FeedRecord("/o/a.jsonl", feed="/o/a.jsonl", keys=("id", "v")),
        FeedRecord("/o/a.csv", "csv", "gzip", "/o/%(time)s.csv", 12, True, True, ("id", None)),
        FeedRecord("/o/a.jsonl", feed="/o/a.jsonl", forgotten_at_end=True, keys=None),
        FeedRecord("/o/a.csv", "csv", "", "/o/a.csv", 0, False, True, encoding="utf-16"),
        FeedRecord("/o/a.csv", "csv", "", "/o/a.csv", 0, False, False, csv=(";", "'")),
        FeedRecord("/o/a.xml", "xml", "", "/o/a.xml", 0, False, True, xml_item="article"),
        FeedRecord("/o/a.csv", "csv", "", "/o/a.csv", 0, False, True, csv_columns=("articleId", "version")),
    ],
)
def test_a_feed_record_reads_back_as_written_and_as_a_run_that_ended_leaves_it(tmp_path: Path, record: FeedRecord) -> None:
    assert FeedRecord.decode(record.encode()) == record
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        store.record_feed("latest:one", record)
        store.finish_run("latest:one")  # nothing pending: forgotten
        store.record_feed("latest:two", record)
        store.add_pending(PendingArticle("124010100001", 1, "h", None, None, "latest:two"))
        store.finish_run("latest:two")  # kept, as a run's that ended (the marker cut off)
        assert store.feeds_of("latest:one") == []
        assert store.feeds_of("latest:two") == [FeedRecord(**{**record.__dict__, "forgotten_at_end": False})]
    finally:
        store.close()


def test_records_of_earlier_versions_still_read() -> None:
    assert FeedRecord.decode("/o/a.jsonl\tjsonlines\t\t/o/a.jsonl\t5\tfiltered\t" + FORGOTTEN_AT_END) == FeedRecord(
        "/o/a.jsonl", "jsonlines", "", "/o/a.jsonl", 5, True, True
    )
    assert FeedRecord.decode("/o/a.jsonl\tjsonlines\t\t/o/a.jsonl\t5\t\t") == FeedRecord("/o/a.jsonl", feed="/o/a.jsonl", offset=5)
    assert FeedRecord.decode("/o/a.jsonl\tcsv\tGzipPlugin\t/o/a.jsonl") == FeedRecord("/o/a.jsonl", "csv", "gzip", "/o/a.jsonl")


def test_a_feed_without_the_id_is_read_as_holding_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "a.jsonl"
    feed.write_text('{"headline": "x", "articleId": "124010100001"}\n')
    assert ids_in_feed(FeedRecord(str(feed), keys=None)) == {}


# --- a feed given as a file: URI ------------------------------------------------------------

NEEDS_PERCENT_PATHS = pytest.mark.skipif(
    not hasattr(feedexport, "apply_uri_params"), reason="before Scrapy 2.19 a feed URI is a %-format as a whole (write %%20)"
)


@pytest.mark.parametrize(
    ("uri", "made"),
    [
        ("file://{d}/single/a.jsonl", "single"),
        pytest.param("file:{d}/one-slash/a.jsonl", "one-slash", marks=pytest.mark.skipif(
            not hasattr(feedexport, "apply_uri_params"), reason="Scrapy 2.13 writes file:/x to the relative path file:/x")),
        ("file://localhost{d}/local/a.jsonl", "local"),
        pytest.param("file://{d}/out%20dir/a.jsonl", "out dir", marks=NEEDS_PERCENT_PATHS),
        pytest.param("{d}/100%-done/a.jsonl", "100%-done", marks=NEEDS_PERCENT_PATHS),
    ],
)
def test_the_check_before_a_run_looks_at_the_file_scrapy_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uri: str, made: str
) -> None:
    """It read ``file:`` URIs by cutting off ``file://``: it made folders named ``file:`` and
    ``localhost`` where the run was started (and checked them, not the output's), and refused a path
    that Scrapy writes (``%20``) as no valid template, exit 6 on every run."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert unwritable_feeds({uri.format(d=tmp_path): {"format": "jsonlines"}}, "latest") == []
    assert (tmp_path / made).is_dir()
    assert list(work.iterdir()) == []


@NEEDS_PERCENT_PATHS
def test_a_run_to_a_file_uri_with_a_space_in_its_path_delivers_every_article_once(site: LoopbackSite, tmp_path: Path) -> None:
    uri = (tmp_path / "bs data" / "all.jsonl").as_uri()
    for _ in range(2):
        status, log = archive(site, tmp_path, "-o", uri)
        assert status == 0, log[-3000:]
    counts = Counter(row["articleId"] for row in rows(tmp_path / "bs data" / "all.jsonl"))
    assert set(counts) == {record.article_id for record in site.articles}
    assert [value for value, n in counts.items() if n > 1] == []
    assert sorted(path.name for path in tmp_path.iterdir()) == [".state", "bs data"]


def test_recovery_leaves_a_utf16_file_as_it_is(tmp_path: Path) -> None:
    feed = tmp_path / "a.csv"
    text = "articleId,version\r\n124010100001,1\r\n"
    feed.write_bytes(text.encode("utf-16"))
    record = FeedRecord(str(feed), "csv", encoding="utf-16")
    assert cut_partial_line(record) is False
    assert cut_trailing_items(record, {"124010100001"}) == 0
    assert feed.read_bytes().decode("utf-16") == text
    # Its ids are its receipt's to tell, not garbled bytes'.
    assert ids_in_feed(record) == {}


# --- a CSV feed with another delimiter, or without a header line ----------------------------


@pytest.mark.parametrize(
    ("gzipped", "given"),
    [(False, {"delimiter": ";"}), (True, {"delimiter": ";"}), (False, {"include_headers_line": False})],
    ids=["semicolon", "semicolon-gzip", "headerless"],
)
def test_runs_appending_to_a_csv_file_of_other_options_write_their_rows_in_its_columns(
    site: LoopbackSite, tmp_path: Path, gzipped: bool, given: dict[str, Any]
) -> None:
    """``item_export_kwargs: {"delimiter": ";"}`` (how spreadsheets in much of Europe read CSV): the
    next run read the file's header with commas, found one column of that name, and wrote each of
    its rows as one empty cell; its articles were marked seen, lost to the reader. Without a header
    line (``include_headers_line: false``, to append rows alone) it took the first row for one."""
    name = "a.csv.gz" if gzipped else "a.csv"
    options: dict[str, Any] = {"format": "csv", "item_export_kwargs": given}
    if gzipped:
        options["postprocessing"] = [GZIP]
    feeds = "FEEDS=" + json.dumps({str(tmp_path / name): options})
    wanted = {record.article_id for record in site.articles}
    status, log = archive(site, tmp_path, "-s", feeds, BS_FRESH="1")
    assert status == 0, log[-3000:]
    status, log = archive(site, tmp_path, "-s", feeds, BS_FRESH="1")
    assert status == 0, log[-3000:]
    assert "has the columns of an earlier run" not in log
    found = rows(tmp_path / name, delimiter=given.get("delimiter", ","), header=given.get("include_headers_line", True))
    assert Counter(row["articleId"] for row in found) == Counter({article: 2 for article in wanted})
    assert all(row["headline"] and row["url"] for row in found)


def test_a_killed_runs_articles_are_told_in_an_xml_feed_whose_items_are_named_otherwise(site: LoopbackSite, tmp_path: Path) -> None:
    """``item_export_kwargs: {"item_element": "article"}``: recovery looked for ``<item>`` elements, found
    none, and the next run wrote the killed run's last article again, beside the file moved aside."""
    options = {"format": "xml", "overwrite": True, "item_export_kwargs": {"item_element": "article", "root_element": "articles"}}
    feeds = "FEEDS=" + json.dumps({str(tmp_path / "out" / "a.xml"): options})
    status, log = archive(site, tmp_path, "-s", feeds, kill_at=5)
    assert status == -signal.SIGKILL, log[-3000:]
    status, log = archive(site, tmp_path, "-s", feeds)
    assert status == 0, log[-3000:]
    counts: Counter[str] = Counter()
    for path in (tmp_path / "out").glob("a*.xml"):  # (a.xml, and the killed run's a.interrupted-<time>.xml)
        counts.update(re.findall(r"<articleId>(\d+)</articleId>", path.read_text()))
    assert set(counts) == {record.article_id for record in site.articles}
    assert [article for article, n in counts.items() if n > 1] == []


# --- a run killed while it settles a killed run ----------------------------------------------


class Killed(BaseException):
    """Stands for the process dying where it is raised."""


TWO_FEEDS_ARTICLES = ("124010100001", "124010100002")


def killed_run_of_two_feeds(tmp_path: Path) -> tuple[SqliteSeenStore, Path, Path]:
    """A seen-store after a killed run that handed its first article to both its feeds (a gzip and
    a plain JSON lines file) and its second to the gzip one only: both still pending."""
    first, second = TWO_FEEDS_ARTICLES
    gz, plain = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl"
    gz.write_bytes(gzip.compress(b"".join(json.dumps({"articleId": a, "version": 1}).encode() + b"\n" for a in (first, second))))
    plain.write_text(json.dumps({"articleId": first, "version": 1}) + "\n")
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    store.record_feed("archive:killed", FeedRecord(str(gz), compression="gzip", feed=str(gz), forgotten_at_end=True))
    store.record_feed("archive:killed", FeedRecord(str(plain), feed=str(plain), forgotten_at_end=True))
    for article in (first, second):
        store.add_pending(PendingArticle(article, 1, "h", None, None, "archive:killed"))
    return store, gz, plain


@pytest.mark.parametrize("fault", [Killed, OSError], ids=["killed", "disk-full"])
def test_a_run_stopped_while_cutting_a_gzip_part_leaves_no_article_seen_and_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: type[BaseException]
) -> None:
    """A killed run had handed one article to both its feeds and the next only to the gzip one:
    recovery marked the first seen, then wrote the gzip part again without the second. Killed in
    that rewrite (the part cut back, not yet written again), or the write failing (a full disk),
    the first was seen and in neither the file nor the store's pending list: lost to the gzip
    feed's reader."""
    first, second = TWO_FEEDS_ARTICLES
    store, gz, _ = killed_run_of_two_feeds(tmp_path)
    try:

        def die(*_: Any) -> None:
            raise fault(28, "No space left on device") if fault is OSError else fault()

        with monkeypatch.context() as patch:
            patch.setattr("crawler.incremental.recovery.shutil.copyfileobj", die)
            if fault is OSError:
                recover_pending(store, "archive:next")
            else:
                with pytest.raises(fault):
                    recover_pending(store, "archive:next")
        recover_pending(store, "archive:after")
        in_gzip = ids_in_feed(FeedRecord(str(gz), compression="gzip"))
        for article in (first, second):
            # Seen only where the gzip feed has it; else fetched and written again by the next run.
            assert (store.get(article) is not None) == (article in in_gzip), article
        assert store.pending() == []
    finally:
        store.close()


# --- a run stopped by a second Ctrl-C or SIGTERM --------------------------------------------


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_a_run_forced_to_stop_hands_its_file_over_as_one_that_ended(tmp_path: Path, sent: signal.Signals) -> None:
    """The second signal makes Scrapy stop at once, without closing the spider: the run ends, exit 1.
    Its records still said "killed", so the next run with the same ``-O`` kept its articles at the
    start of the file, which the reader had taken already (as the README says to, whatever the exit
    status): every one of them twice."""
    with LoopbackSite(articles=20, seed=37, days=6, legacy=0, slow_seconds=10) as site:
        out = tmp_path / "new.jsonl"
        command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-O", str(out)]
        for key, value in {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
            command += ["-s", f"{key}={value}"]
        log = tmp_path / "first.log"
        with open(log, "wb") as err:
            process = subprocess.Popen(command, cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 120
            while (not out.exists() or out.read_bytes().count(b"\n") < 4) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            # Every page from here on answers slowly: the first signal's orderly stop waits for it.
            for record in site.articles:
                site.set_fault(record.article_id, "slow")
            asked = site.article_requests()
            while site.article_requests() == asked and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            process.send_signal(sent)
            while b"shutting down gracefully" not in log.read_bytes() and time.monotonic() < deadline:
                time.sleep(0.01)
            process.send_signal(sent)
            status = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        assert status == 1, log.read_text(errors="replace")[-3000:]
        assert b"forcing unclean shutdown" in log.read_bytes()
        taken = [row["articleId"] for row in rows(out)]  # the reader takes the file, whatever the status
        assert taken
        site.clear_faults()
        status, second = archive(site, tmp_path, "-O", str(out))
        assert status == 0, second[-3000:]
        assert "holds the articles of a run that was killed" not in second
        counts = Counter(taken + [row["articleId"] for row in rows(out)])
        assert set(counts) == {record.article_id for record in site.articles}
        assert [article for article, n in counts.items() if n > 1] == []


def test_a_record_with_nothing_more_is_written_as_earlier_versions_read_it() -> None:
    record = FeedRecord("/o/a.jsonl", feed="/o/a.jsonl", offset=5, forgotten_at_end=True)
    assert record.encode() == "/o/a.jsonl\tjsonlines\t\t/o/a.jsonl\t5\t\t" + FORGOTTEN_AT_END


# --- appending to a file whose last line has no line break ----------------------------------


@pytest.mark.parametrize("name", ["all.jsonl", "all.csv"])
def test_a_run_appending_to_a_file_whose_last_line_has_no_break_starts_a_line_of_its_own(
    site: LoopbackSite, tmp_path: Path, name: str
) -> None:
    """The file's last line without its line break (cut while no seen-store knew of it: a state dir
    deleted to start afresh after a kill; or written by another program): the run's first item went
    on that line, both unreadable, the article marked seen all the same."""
    out = tmp_path / name
    status, log = archive(site, tmp_path, "-o", str(out))
    assert status == 0, log[-3000:]
    out.write_bytes(out.read_bytes().rstrip(b"\r\n"))
    afresh = tmp_path / "afresh"  # (a state dir of its own: the articles are new to it)
    afresh.mkdir()
    status, log = archive(site, afresh, "-o", str(out))
    assert status == 0, log[-3000:]
    found = rows(out)
    assert Counter(row["articleId"] for row in found) == Counter({record.article_id: 2 for record in site.articles})
    assert all(row["headline"] for row in found)
    assert "did not end with a line break" in log
