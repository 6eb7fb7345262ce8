"""What users receive from whole runs, checked as a data team checks a delivery: one ``scrapy crawl``
against the loopback site writing every format at once, each read back with the standard library's
readers (never the crawler's), and runs in a row on one state dir."""

from __future__ import annotations

import csv
import gzip
import json
import marshal
import pickle
import re
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from crawler.extraction import Article, extract_article
from crawler.incremental import recovery
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore
from tests.e2e import FAST, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_faults import env

FORMATS = ("jsonl", "csv", "xml", "json", "marshal", "pickle")
# The field table of the README: ISO 8601 with the zone, to the second at least.
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
ARTICLE_ID = re.compile(r"^1\d{11}$")
MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


@dataclass
class Delivery:
    """What one run left: its exit status, its log, and the files it wrote, by format."""

    status: int
    log: str
    files: dict[str, Path]


def run(site: LoopbackSite, workdir: Path, spider: str, *args: str, outputs: tuple[str, ...] = ("jsonl",),
        settings: dict[str, str] | None = None, name: str = "items") -> Delivery:
    workdir.mkdir(parents=True, exist_ok=True)
    files = {fmt: workdir / f"{name}.{fmt}" for fmt in outputs}
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for path in files.values():
        command += ["-O", str(path)]
    for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, cwd=workdir, env=env(), capture_output=True, text=True, timeout=300)
    return Delivery(done.returncode, done.stderr, files)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_stream(path: Path, load: Any) -> list[dict[str, Any]]:
    """Items of a marshal or pickle feed: one object after another."""
    found = []
    with open(path, "rb") as file:
        while True:
            try:
                found.append(load(file))
            except EOFError:
                return found


class PlainUnpickler(pickle.Unpickler):
    """Loads dicts, lists, strings and numbers only, as a reader without the crawler installed can."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the pickle needs {module}.{name}")


def _xml_value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    if all(child.tag == "value" for child in children):
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}


def read_xml(path: Path) -> list[dict[str, Any]]:
    return [{child.tag: _xml_value(child) for child in item} for item in ET.parse(path).getroot()]


# --- what each format must hold for a JSON value -------------------------------------------


def as_csv_cell(value: Any) -> Any:
    """A JSON lines value as a CSV cell, read back: text as it is, numbers and flags as Scrapy writes
    them, and a list (of names too: joined by commas, a name holding one read back as two) or
    anything with structure (a picture, links, the ticker) as JSON, so that it reads back to the same
    value; an empty list is an empty cell."""
    if value is None or value == []:
        return ""
    if isinstance(value, (list, dict)):
        return value  # compared with the cell read as JSON
    return str(value)


def as_xml(value: Any) -> Any:
    """A JSON lines value as the XML element reads back: null is an empty element, never "None"."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [as_xml(v) for v in value] if value else ""
    if isinstance(value, dict):
        return {key: as_xml(v) for key, v in value.items()}
    return str(value)


# --- the field table of the README ---------------------------------------------------------------


def _text_problems(name: str, text: str) -> list[str]:
    found = []
    if MARKUP.search(text):
        found.append(f"{name}: markup or an entity in {text[:80]!r}")
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n" for ch in text):
        found.append(f"{name}: a control or invisible character in {text[:80]!r}")
    if "\ufffd" in text:
        found.append(f"{name}: U+FFFD in {text[:80]!r}")
    if not text.strip() or text != text.strip():
        found.append(f"{name}: blank or untrimmed {text[:80]!r}")
    return found


def _url_problems(name: str, url: str | None, base: str) -> list[str]:
    if url is None:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment or " " in url or "utm_" in parts.query:
        return [f"{name}: not an absolute, clean URL: {url!r}"]
    if not url.startswith(base) and name in ("url", "canonicalUrl"):
        return [f"{name}: not on the site: {url!r}"]
    return []


def field_problems(item: dict[str, Any], base: str) -> list[str]:
    """What is wrong with one JSON lines item against the README's field table."""
    found: list[str] = []
    if list(item) != [f.name for f in fields(Article)]:
        found.append(f"keys {list(item)}")
    if not ARTICLE_ID.match(item["articleId"]) or item["articleId"] not in item["url"]:
        found.append(f"articleId {item['articleId']!r} for {item['url']}")
    for name in ("datePublished", "dateModified", "dateDownloaded"):
        if not isinstance(item[name], str) or not ISO_DATE.match(item[name]):
            found.append(f"{name} {item[name]!r}")
    for name in ("url", "canonicalUrl"):
        found += _url_problems(name, item[name], base)
    if "/amp/" in (item["canonicalUrl"] or ""):
        found.append(f"canonicalUrl is the AMP one: {item['canonicalUrl']}")
    for name in ("headline", "description", "dateline", "section", "disclaimer", "datePublishedRaw", "dateModifiedRaw", "inLanguage"):
        if item[name] is not None:
            found += _text_problems(name, item[name])
    for line in (item["articleBody"] or "").split("\n"):
        found += _text_problems("articleBody", line)
    for name, keys in (("authors", ("name", "url")), ("breadcrumbs", ("name", "url")), ("alsoRead", ("headline", "url"))):
        entries = item[name]
        if not isinstance(entries, list) or any(not isinstance(e, dict) or list(e) != list(keys) for e in entries):
            found.append(f"{name} is not a list of {{{', '.join(keys)}}}: {entries!r}")
            continue
        if len({json.dumps(e, sort_keys=True) for e in entries}) != len(entries):
            found.append(f"{name} holds an entry twice: {entries!r}")
        for entry in entries:
            found += _text_problems(f"{name}.{keys[0]}", entry[keys[0]])
            found += _url_problems(f"{name}.url", entry["url"], base)
    topics = item["topics"]
    if len(set(topics)) != len(topics):
        found.append(f"topics twice: {topics}")
    for topic in topics:
        found += _text_problems("topics", topic)
    image = item["mainImage"]
    if image is not None:
        if list(image) != ["url", "alt", "caption"]:
            found.append(f"mainImage {image!r}")
        found += _url_problems("mainImage.url", image["url"], base)
        for key in ("alt", "caption"):
            if image[key] is not None:
                found += _text_problems(f"mainImage.{key}", image[key])
    if [q["name"] for q in item["market"]] != ["Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]:
        found.append(f"market {item['market']!r}")
    for name in ("isSyndicated", "isPremium", "isLiveBlog"):
        if not isinstance(item[name], bool):
            found.append(f"{name} {item[name]!r}")
    if item["isSyndicated"] != (item["disclaimer"] is not None):
        found.append(f"isSyndicated {item['isSyndicated']} with disclaimer {item['disclaimer']!r}")
    if not (item["readTimeMinutes"] is None or (isinstance(item["readTimeMinutes"], int) and item["readTimeMinutes"] > 0)):
        found.append(f"readTimeMinutes {item['readTimeMinutes']!r}")
    if not isinstance(item["version"], int) or item["version"] < 1:
        found.append(f"version {item['version']!r}")
    return found


# --- one run, every format at once ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=88, days=20, legacy=3) as running:
        yield running


@pytest.fixture(scope="module")
def every_format(site: LoopbackSite, tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    return run(site, tmp_path_factory.mktemp("formats"), "archive", "-a", "since=2000-01-01", outputs=FORMATS)


def test_one_run_delivers_every_article_once_with_the_documented_fields(site: LoopbackSite, every_format: Delivery) -> None:
    assert every_format.status == 0, every_format.log[-3000:]
    items = read_jsonl(every_format.files["jsonl"])
    ids = Counter(item["articleId"] for item in items)
    assert set(ids) == {r.article_id for r in site.articles} and max(ids.values()) == 1
    problems = {item["articleId"]: found for item in items if (found := field_problems(item, site.base_url))}
    assert problems == {}
    raw = every_format.files["jsonl"].read_bytes()
    assert b"\\u" not in raw and "’".encode() in raw, "non-ASCII is written as the characters themselves"
    summary = re.search(r"Run summary: new=(\d+) updated=0 unchanged=0 emitted=(\d+) .*exit=0 \(ok\)$", every_format.log, re.M)
    assert summary is not None and summary.groups() == (str(len(items)), str(len(items))), every_format.log[-2000:]
    assert stats_from_log(every_format.log)["bs/state/marked_seen"] == len(items)


def test_csv_and_xml_hold_the_same_values_as_json_lines(every_format: Delivery) -> None:
    # A team loading the CSV or XML file must get the fields of the table, not Python's spelling
    # of them: "[Link(name='PTI', url=None)]", "Image(url=…)", "None".
    assert every_format.status == 0, every_format.log[-3000:]
    wanted = {item["articleId"]: item for item in read_jsonl(every_format.files["jsonl"])}
    with open(every_format.files["csv"], encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["articleId"] for row in rows) == sorted(wanted)
    for row in rows:
        item = wanted[row["articleId"]]
        assert list(row) == list(item)
        for name, value in item.items():
            if name == "dateDownloaded":
                continue
            expected = as_csv_cell(value)
            cell = json.loads(row[name]) if isinstance(expected, (list, dict)) else row[name]
            assert cell == expected, (row["articleId"], name, row[name][:200])
    documents = read_xml(every_format.files["xml"])
    assert sorted(d["articleId"] for d in documents) == sorted(wanted)
    for document in documents:
        item = wanted[document["articleId"]]
        assert list(document) == list(item)
        for name, value in item.items():
            if name != "dateDownloaded":
                assert document[name] == as_xml(value), (document["articleId"], name, document[name])
    array = json.loads(every_format.files["json"].read_text(encoding="utf-8"))
    assert {i["articleId"]: {k: v for k, v in i.items() if k != "dateDownloaded"} for i in array} == {
        k: {n: v for n, v in i.items() if n != "dateDownloaded"} for k, i in wanted.items()
    }


@pytest.mark.parametrize("fmt", ["marshal", "pickle"])
def test_marshal_and_pickle_hold_plain_values_a_reader_without_the_crawler_can_load(every_format: Delivery, fmt: str) -> None:
    # Scrapy writes the item's top level as a dict and leaves the nested dataclasses as they are:
    # marshal refuses them (every item failed, exit 6), and a pickle needs the crawler's classes.
    assert every_format.status == 0, every_format.log[-3000:]
    assert "Traceback" not in every_format.log, every_format.log[-3000:]
    wanted = {item["articleId"]: item for item in read_jsonl(every_format.files["jsonl"])}
    loaded = read_stream(every_format.files[fmt], marshal.load if fmt == "marshal" else lambda f: PlainUnpickler(f).load())
    assert {i["articleId"]: {k: v for k, v in i.items() if k != "dateDownloaded"} for i in loaded} == {
        k: {n: v for n, v in i.items() if n != "dateDownloaded"} for k, i in wanted.items()
    }


# --- an edge of the CDN that serves an older copy of an updated article ---------------------------------


def test_the_stale_first_fault_serves_the_article_as_first_published() -> None:
    with LoopbackSite(articles=5, seed=88, days=5, legacy=0) as site:
        record = site.articles[-1]
        first = extract_article(urlopen(site.base_url + record.path).read(), record.url)
        site.modify(record.article_id)
        site.set_fault(record.article_id, "stale-first")
        for path in (record.path, "/amp" + record.path):
            stale = extract_article(urlopen(site.base_url + path).read(), record.url)
            assert (stale.articleBody, stale.dateModified) == (first.articleBody, first.dateModified)
        site.set_fault(record.article_id, None)
        updated = extract_article(urlopen(site.base_url + record.path).read(), record.url)
        assert updated.dateModified != first.dateModified and "Update 1:" in (updated.articleBody or "")


def test_an_older_copy_of_an_updated_article_is_not_emitted_as_its_next_version(tmp_path: Path) -> None:
    # Version 2 of the article was emitted; the article is updated again, and the page fetched for
    # that update comes from an edge that still holds the copy as first published. Emitted, that copy
    # would be "version 3" with the text and dateModified of version 1: the article would go back in
    # time for every reader, and forward again at the next fetch.
    with LoopbackSite(articles=12, seed=8, days=3, legacy=0) as site:
        article = site.articles[-2].article_id

        def latest(name: str) -> tuple[Delivery, list[dict[str, Any]]]:
            done = run(site, tmp_path, "latest", name=name)
            assert done.status == 0, done.log[-3000:]
            return done, read_jsonl(done.files["jsonl"]) if done.files["jsonl"].exists() else []  # FEED_STORE_EMPTY off

        _, first = latest("first")
        assert {i["articleId"]: i["version"] for i in first}[article] == 1
        site.modify(article)
        _, second = latest("second")
        assert [(i["articleId"], i["version"]) for i in second] == [(article, 2)]
        emitted = second[0]
        site.modify(article)
        site.set_fault(article, "stale-first")
        stale, third = latest("third")
        assert third == [], "an older copy is no new version"
        assert f"<{emitted['url']}>" in stale.log and "older than version 2" in stale.log
        assert stats_from_log(stale.log).get("bs/state/stale_page") == 1
        assert re.search(r"Run summary: new=0 updated=0 unchanged=\d+ emitted=0 .*exit=0 \(ok\)$", stale.log, re.M), stale.log[-2000:]
        site.set_fault(article, None)
        _, fourth = latest("fourth")
        assert [(i["articleId"], i["version"]) for i in fourth] == [(article, 3)], "the update is fetched again, and emitted"
        assert "Update 2:" in fourth[0]["articleBody"] and fourth[0]["dateModified"] > emitted["dateModified"]


@pytest.mark.parametrize(
    ("emitted", "page", "outcome"),
    [
        ("2024-11-25T10:00:00+05:30", "2024-11-25T09:00:00+05:30", "stale"),
        ("2024-11-25T10:00:37+05:30", "2024-11-25T10:00:00+05:30", "updated"),  # the same minute, read from another source
        ("2024-11-25T10:00:00+05:30", "2024-11-25T11:00:00+05:30", "updated"),
        ("2999-01-01T10:00:00+05:30", "2024-11-25T11:00:00+05:30", "updated"),  # a wrong date ahead never holds updates back
        ("2024-11-25T10:00:00+05:30", None, "updated"),
    ],
)
def test_a_page_is_an_older_copy_only_when_its_date_is_a_minute_or_more_before_the_emitted_one(
    tmp_path: Path, emitted: str, page: str | None, outcome: str
) -> None:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        store.add_pending(PendingArticle("124112500005", 2, "hash-2", emitted, None, "latest:a"))
        store.confirm("124112500005", "latest:a")
        claim = store.claim(PendingArticle("124112500005", 0, "hash-3", page, None, "latest:b"), fresh=False, is_live=lambda run: False)
        assert claim.outcome == outcome
        assert [p.run_id for p in store.pending()] == ([] if outcome == "stale" else ["latest:b"])
        fresh = store.claim(PendingArticle("124112500005", 0, "hash-3", page, None, "latest:c"), fresh=True, is_live=lambda run: False)
        assert fresh.outcome == "updated", "fresh=1 emits what the page says"
    finally:
        store.close()


# --- cron runs appending to one CSV file --------------------------------------------------------------


def test_runs_appending_to_one_csv_file_leave_one_header_and_each_article_once(tmp_path: Path) -> None:
    # `scrapy crawl latest -o all.csv` from cron: each run appended its own header line, which every
    # CSV reader takes for a row (an article whose articleId is "articleId").
    with LoopbackSite(articles=16, seed=8, days=3, legacy=0) as site:
        output = tmp_path / "all.csv"
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-o", str(output)]
        for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
            command += ["-s", f"{key}={value}"]
        for added in (0, 5):
            site.add_articles(added)
            done = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
        with open(output, encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
    ids = Counter(row["articleId"] for row in rows)
    assert "articleId" not in ids, "a header line in the middle of the file"
    assert set(ids) == {r.article_id for r in site.articles} and max(ids.values()) == 1


@pytest.mark.parametrize("gzipped", [False, True], ids=["csv", "csv-gzip"])
def test_a_killed_runs_part_of_a_csv_file_without_its_own_header_is_read_back(tmp_path: Path, gzipped: bool) -> None:
    # The run appended its rows under the header of the run before it: recovery must read them by
    # that header, not take the first row for one.
    path = tmp_path / ("all.csv.gz" if gzipped else "all.csv")
    header = "articleId,headline,version\r\n"
    earlier = header + "124112500001,Earlier,1\r\n"
    killed = "124112500002,\"Sensex, Nifty\",1\r\n124112500003,Third,2\r\n124112500004,Cut"
    pack = (lambda text: gzip.compress(text.encode())) if gzipped else (lambda text: text.encode())
    path.write_bytes(pack(earlier))
    offset = path.stat().st_size
    with open(path, "ab") as file:
        file.write(pack(killed)[: -12 if gzipped else None])
    record = FeedRecord(str(path), "csv", "gzip" if gzipped else "", str(path), offset)
    assert recovery.ids_in_feed(record) == {"124112500002": 1, "124112500003": 2}


# --- a feed that exports only some fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "written"),
    [
        ("jsonlines", '{"articleId": "124112500002", "headline": "Two"}\n{"articleId": "124112500003", "headline": "Three"}\n'
                      '{"articleId": "124112500004", "head'),
        # A cut last row may hold a whole articleId: it is no row written.
        ("csv", "articleId,headline\r\n124112500002,Two\r\n124112500003,\"Three,\r\nlines\"\r\n124112500004,Fou"),
        ("xml", '<?xml version="1.0" encoding="utf-8"?>\n<items><item><articleId>124112500002</articleId></item>'
                "<item><articleId>124112500003</articleId></item><item><articleId>124112500004</articleId>"),
    ],
)
def test_a_killed_run_of_a_feed_without_the_version_field_is_settled_by_the_ids_it_holds(tmp_path: Path, fmt: str, written: str) -> None:
    # FEEDS={"slim.csv.gz": {"fields": ["articleId", "headline", …], "postprocessing": [gzip]}}: a team
    # that wants no version column. What the killed run wrote must count as written, or the next run
    # writes every one of those articles a second time.
    path = tmp_path / f"slim.{fmt}.gz"
    path.write_bytes(gzip.compress(written.encode()))
    store = SqliteSeenStore(tmp_path / "state" / "seen.sqlite3")
    try:
        store.record_feed("latest:dead", FeedRecord(str(path), fmt, "gzip", str(path)))
        for article_id in ("124112500002", "124112500003", "124112500004"):  # the last one never written
            store.add_pending(PendingArticle(article_id, 1, "hash", None, None, "latest:dead"))
        assert recovery.recover_pending(store, "latest:now") == (2, 1)
        assert store.get("124112500002") is not None and store.get("124112500004") is None
    finally:
        store.close()


# --- the HTTP cache kept for re-extraction ----------------------------------------------------------------


def test_with_the_http_cache_on_an_updated_article_is_fetched_live_and_its_new_page_stored(tmp_path: Path) -> None:
    # The README's advice: keep HTTPCACHE_ENABLED on during normal crawls, for `reextract`. A cache
    # that answers for article pages serves the page as first fetched to every later fetch of it:
    # each update read as "unchanged" (and its date settled), and a failed fetch answered from the cache.
    with LoopbackSite(articles=12, seed=8, days=3, legacy=0) as site:
        cache = tmp_path / "cache"
        settings = {"HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "RETRY_TIMES": "1"}
        first = run(site, tmp_path, "latest", settings=settings, name="first")
        assert first.status == 0, first.log[-3000:]
        article = site.articles[-3].article_id
        site.modify(article)
        site.set_fault(article, "error503-always")
        down = run(site, tmp_path, "latest", settings=settings, name="down")
        assert read_jsonl(down.files["jsonl"]) == [], "no copy from the cache stands in for the page (-O: the file is emptied)"
        assert down.status == 1 and "none could be fetched (http-503=1)" in down.log, down.log[-3000:]
        metas = [meta.read_text() for meta in cache.rglob("meta") if f"{article}_1.html'" in meta.read_text()]
        assert metas and all("'status': 200" in meta for meta in metas), "the page kept for reextract is not replaced by an error page"
        site.set_fault(article, None)
        up = run(site, tmp_path, "latest", settings=settings, name="up")
        assert up.status == 0, up.log[-3000:]
        (item,) = read_jsonl(up.files["jsonl"])
        assert (item["articleId"], item["version"]) == (article, 2) and "Update 1:" in item["articleBody"]
    stored = [(meta.parent / "response_body").read_bytes() for meta in cache.rglob("meta") if f"{article}_1.html'" in meta.read_text()]
    assert stored and all(b"Update 1:" in body for body in stored), "the cache holds the page as last fetched, for reextract"
    # Re-extraction with the cache setting still on: the pages it re-reads are not stored again.
    again = run(site, tmp_path, "reextract", "-a", f"source={cache}", settings={**settings, "HTTPCACHE_DIR": str(tmp_path / "cache2")}, name="again")
    assert again.status == 0, again.log[-3000:]
    assert len(read_jsonl(again.files["jsonl"])) == 12 and not list((tmp_path / "cache2").rglob("meta"))
