"""Re-extraction from stored responses: the source readers, the spider, and whole runs against the loopback site.

The integration tests crawl the loopback site once with ``-s HTTPCACHE_ENABLED=1``, then store the
same pages as a folder of saved pages and as a WARC file (written with warcio), and check that
``scrapy crawl reextract`` on each gives the live crawl's items, key by key but ``dateDownloaded``.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest, UsageError
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.extraction import Article
from crawler.extraction.normalize import iso_ist
from crawler.reextract.sources import (
    BROKEN,
    REVISIT,
    TOO_LARGE,
    SkippedRecord,
    StoredResponse,
    iter_records,
    parse_warc_date,
    read_cache_entry,
    saved_page_url,
)
from crawler.reextract.middleware import STORED_RECORD, StoredResponseMiddleware, skip_reason
from crawler.spiders.reextract import ReextractSpider
from tests.conftest import PAGES, ROOT, SITE
from tests.loopback.site import LoopbackSite
from tests.pages.specs import SEED

SEED_PAGE = PAGES / "nextjs-2023" / "seed-syndicated" / "page.html"
SEED_URL = SITE + SEED.path
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")

# --- helpers ---------------------------------------------------------------------------


def run_scrapy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy …`` in ``cwd`` with the project's settings (relative paths land in ``cwd``)."""
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def stats_in(log: str) -> dict[str, int]:
    """The integer stats of the run, from Scrapy's end-of-run dump."""
    return {key: int(value) for key, value in re.findall(r"'([\w/.-]+)': (\d+)[,}]", log)}


def read_items(path: Path) -> dict[str, dict[str, Any]]:
    """Items of a JSON lines feed by article id."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {item["articleId"]: item for item in items}
    assert len(by_id) == len(items), "an article id came twice"
    return by_id


def assert_same_items(actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    """Every article and every key equal, ``dateDownloaded`` aside."""
    assert sorted(actual) == sorted(expected)
    for article_id, item in expected.items():
        assert list(actual[article_id]) == list(item), article_id
        for key, value in item.items():
            if key != "dateDownloaded":
                assert actual[article_id][key] == value, f"{article_id}: {key}"


def reextract(source: Path, workdir: Path, name: str) -> tuple[dict[str, dict[str, Any]], dict[str, int], str]:
    """Run ``scrapy crawl reextract -a source=…``: the items, the stats and the log."""
    out = workdir / f"{name}.jsonl"
    result = run_scrapy("crawl", "reextract", "-a", f"source={source}", "-O", str(out), cwd=workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return read_items(out), stats_in(result.stderr), result.stderr


def fetch(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a GET on the loopback site (errors are answers too)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, list(error.headers.items()), error.read()


def write_response(writer: WARCWriter, url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """A request record and the HTTP response record after it, as a crawler archiving pages writes them."""
    _, _, host, path = url.split("/", 3)
    request = StatusAndHeaders(f"GET /{path} HTTP/1.1", [("Host", host)], is_http_request=True)
    writer.write_record(writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request))
    reason = {200: "OK", 404: "Not Found"}.get(status, "Status")
    http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http))


def store_in_cache(cache_dir: Path, response: Response, gzip_files: bool = False) -> Path:
    """Store a response with Scrapy's own ``FilesystemCacheStorage``, as a crawl with the HTTP cache on does."""
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(cache_dir), "HTTPCACHE_GZIP": gzip_files})
    spider = Spider.from_crawler(crawler, name="article")
    storage = FilesystemCacheStorage(crawler.settings)
    storage.open_spider(spider)
    assert response.request is not None
    storage.store_response(spider, response.request, response)
    assert crawler.request_fingerprinter is not None
    key = crawler.request_fingerprinter.fingerprint(response.request).hex()
    return cache_dir / "article" / key[:2] / key  # the layout FilesystemCacheStorage writes


def html_response(url: str, body: bytes, **kwargs: Any) -> HtmlResponse:
    headers = kwargs.pop("headers", {"Content-Type": "text/html; charset=utf-8"})
    return HtmlResponse(url, body=body, headers=headers, request=Request(url), **kwargs)


def only(records: Iterator[Any]) -> Any:
    found = list(records)
    assert len(found) == 1, found
    return found[0]


# --- the readers ---------------------------------------------------------------------------


@pytest.mark.parametrize("gzip_files", [False, True], ids=["plain", "HTTPCACHE_GZIP"])
def test_an_entry_of_scrapys_http_cache_is_read_back(tmp_path: Path, gzip_files: bool) -> None:
    body = SEED_PAGE.read_bytes()
    before = datetime.now(timezone.utc)
    store_in_cache(tmp_path / "cache", html_response(SEED_URL, body), gzip_files)
    record = only(iter_records(tmp_path / "cache"))
    assert isinstance(record, StoredResponse)
    assert (record.url, record.status, record.body) == (SEED_URL, 200, body)
    assert record.headers[b"Content-Type"] == [b"text/html; charset=utf-8"]
    assert record.fetched_at is not None and before - timedelta(seconds=1) <= record.fetched_at <= datetime.now(timezone.utc)


def test_a_compressed_body_stays_compressed_for_the_downloader_middlewares(tmp_path: Path) -> None:
    packed = gzip.compress(SEED_PAGE.read_bytes())
    response = Response(SEED_URL, body=packed, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}, request=Request(SEED_URL))
    store_in_cache(tmp_path / "cache", response)
    record = only(iter_records(tmp_path / "cache"))
    assert record.body == packed and record.headers[b"Content-Encoding"] == [b"gzip"]
    assert skip_reason(record) is None  # text/html once decoded, by HttpCompressionMiddleware


def test_cache_meta_that_would_build_objects_is_refused_not_unpickled(tmp_path: Path) -> None:
    entry = store_in_cache(tmp_path / "cache", html_response(SEED_URL, SEED_PAGE.read_bytes()))
    (entry / "pickled_meta").write_bytes(pickle.dumps({"url": SEED_URL, "status": 200, "when": datetime.now()}))
    record = read_cache_entry(entry)
    assert isinstance(record, SkippedRecord) and record.reason == BROKEN and "refusing" in record.detail


def test_a_cache_body_shorter_than_its_content_length_is_broken(tmp_path: Path) -> None:
    body = SEED_PAGE.read_bytes()
    entry = store_in_cache(tmp_path / "cache", html_response(SEED_URL, body, headers={"Content-Type": "text/html", "Content-Length": str(len(body))}))
    (entry / "response_body").write_bytes(body[: len(body) // 2])
    record = read_cache_entry(entry)
    assert isinstance(record, SkippedRecord) and record.reason == BROKEN


def test_a_saved_page_gets_the_url_of_its_canonical_link(tmp_path: Path) -> None:
    body = SEED_PAGE.read_bytes()
    (tmp_path / "a.html").write_bytes(body)
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(body))
    records = sorted(iter_records(tmp_path), key=lambda r: r.origin)
    assert [(r.url, r.status, r.body, r.fetched_at) for r in records] == [(SEED_URL, 200, body, None)] * 2
    assert saved_page_url(b'<html><head><link rel="canonical" href="/x/y-124022800873_1.html"></head>', tmp_path / "c.html", "http://127.0.0.1:1") == "http://127.0.0.1:1/x/y-124022800873_1.html"
    assert saved_page_url(b'<html><head><meta property="og:url" content="https://e.com/p"></head>', tmp_path / "c.html") == "https://e.com/p"
    assert saved_page_url(b"<html><body>no head</body></html>", tmp_path / "c.html") == (tmp_path / "c.html").as_uri()


def test_a_warc_response_is_dechunked_left_encoded_and_keeps_its_date(tmp_path: Path) -> None:
    body = SEED_PAGE.read_bytes()
    packed = gzip.compress(body)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    path = tmp_path / "a.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(SEED_URL, "response", payload=BytesIO(chunked), http_headers=http, warc_headers_dict={"WARC-Date": "2024-02-28T10:12:30.25Z"})
        )
        writer.write_record(writer.create_warc_record(SEED_URL, "revisit", payload=BytesIO(b""), http_headers=http))
    response, revisit = list(iter_records(path))
    # Decoded by HttpCompressionMiddleware on its way to the callback, as a fetched or cached page is.
    assert (response.url, response.status, response.body) == (SEED_URL, 200, packed)
    assert response.headers == {b"Content-Type": [b"text/html"], b"Content-Encoding": [b"gzip"]}
    assert response.fetched_at == datetime(2024, 2, 28, 10, 12, 30, 250000, tzinfo=timezone.utc)
    assert isinstance(revisit, SkippedRecord) and revisit.reason == REVISIT


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_cut_short_yields_its_good_records_then_one_broken(tmp_path: Path, compressed: bool) -> None:
    body = SEED_PAGE.read_bytes()
    path = tmp_path / ("a.warc.gz" if compressed else "a.warc")
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=compressed)
        for index in range(3):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"{SITE}/a/a-12402280087{index}_1.html", "response", payload=BytesIO(body), http_headers=http))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - len(whole) // 6])  # into the last record
    records = list(iter_records(path))
    assert [type(r) for r in records] == [StoredResponse, StoredResponse, SkippedRecord]
    assert records[-1].reason == BROKEN
    for garbage in (b"WARC/1.0\r\nWARC-Type: resp", b"<html>not an archive</html>"):
        path.write_bytes(garbage)
        assert [r.reason for r in iter_records(path)] == [BROKEN]


def test_a_body_over_the_size_limit_is_skipped_before_it_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(b"<html>" + b" " * 100_000 + b"</html>"))
    (tmp_path / "b.html").write_bytes(b"<html>" + b" " * 100_000 + b"</html>")
    assert [r.reason for r in iter_records(tmp_path, max_size=50_000)] == [TOO_LARGE, TOO_LARGE]


def test_a_truncated_saved_page_is_broken_and_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(SEED_PAGE.read_bytes())[:500])
    (tmp_path / "notes.txt").write_text("not a page")
    (tmp_path / "image.png").write_bytes(PNG)
    assert [r.reason for r in iter_records(tmp_path)] == [BROKEN]


def test_warc_dates_of_every_precision_are_read() -> None:
    assert parse_warc_date("2024-02-28T10:12:30Z") == datetime(2024, 2, 28, 10, 12, 30, tzinfo=timezone.utc)
    assert parse_warc_date("2024-02-28T10:12:30.123456789Z") == datetime(2024, 2, 28, 10, 12, 30, 123456, tzinfo=timezone.utc)
    assert parse_warc_date("garbage") is None and parse_warc_date(None) is None


@pytest.mark.long
def test_memory_stays_flat_over_20000_stored_records(tmp_path: Path) -> None:
    # Incompressible bodies of ~6 KB: 20 000 of them are ~120 MB read, far beyond the peak allowed.
    filler = os.urandom(3000).hex().encode()

    def page(index: int) -> bytes:
        canonical = f"{SITE}/a/a-1240228{index:05d}_1.html".encode()
        return b'<html><head><link rel="canonical" href="' + canonical + b'"></head><body>' + filler + b"</body></html>"

    counts = {"warc": 16_000, "pages": 2_000, "cache": 2_000}
    # The WARC is written by hand, a record as WARCWriter lays it out: five times faster to make.
    with open(tmp_path / "many.warc", "wb") as stream:
        for index in range(counts["warc"]):
            body = page(index)
            block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            stream.write(
                b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-%012d>\r\n"
                b"WARC-Target-URI: %s/a/a-%d\r\nWARC-Date: 2024-02-28T10:12:30Z\r\n"
                b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n"
                % (index, SITE.encode(), index, len(block), block)
            )
    (tmp_path / "pages").mkdir()
    for index in range(counts["pages"]):
        (tmp_path / "pages" / f"{index}.html").write_bytes(page(index))
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(tmp_path / "cache")})
    spider = Spider.from_crawler(crawler, name="article")
    storage = FilesystemCacheStorage(crawler.settings)
    storage.open_spider(spider)
    for index in range(counts["cache"]):
        url = f"{SITE}/c/c-{index}"
        storage.store_response(spider, Request(url), HtmlResponse(url, body=page(index), headers={"Content-Type": "text/html"}))

    # Measured in a process of its own: tracemalloc counts every thread's allocations, and a test process
    # may hold threads an earlier test left running (CI: a peak of 4 MB once, none of it the reader's).
    measure = (
        "import json, sys, tracemalloc\nfrom pathlib import Path\n"
        "from crawler.reextract.sources import StoredResponse, iter_records\n"
        "tracemalloc.start()\n"
        "read = total = early = 0\n"
        "for record in iter_records(Path(sys.argv[1])):\n"
        "    assert isinstance(record, StoredResponse), record\n"
        "    read += 1\n"
        "    total += len(record.body)\n"
        "    if read == 1_000:\n"
        "        early, _ = tracemalloc.get_traced_memory()\n"
        "current, peak = tracemalloc.get_traced_memory()\n"
        "print(json.dumps([read, total, early, current, peak]))\n"
    )
    done = subprocess.run([sys.executable, "-c", measure, str(tmp_path)], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    read, total, early, current, peak = json.loads(done.stdout.splitlines()[-1])
    assert read == sum(counts.values()) and total > 100_000_000
    assert peak < 1_000_000, f"peak {peak} bytes while streaming {total} bytes"
    assert current - early < 100_000, f"memory grew by {current - early} bytes from record 1000 to {read}"


# --- the spider ------------------------------------------------------------------------------


def make_spider(tmp_path: Path, **settings: Any) -> ReextractSpider:
    source = tmp_path / "page.html"
    source.write_bytes(SEED_PAGE.read_bytes())
    crawler = get_crawler(ReextractSpider, {"BS_STATE_DIR": str(tmp_path / "state"), **settings})
    spider = ReextractSpider.from_crawler(crawler, source=str(source))
    crawler.spider = spider
    return spider


def stored(url: str = SEED_URL, status: int = 200, content_type: bytes = b"text/html", body: bytes = b"<html></html>") -> StoredResponse:
    return StoredResponse(url=url, status=status, headers={b"Content-Type": [content_type]}, body=body, fetched_at=None, origin="test")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give -a source=PATH"),
        ({"source": "/no/such/place"}, "does not exist"),
        ({"source": str(ROOT / "pyproject.toml")}, "is not a directory"),
    ],
)
def test_a_missing_or_unusable_source_is_refused_before_anything_runs(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        ReextractSpider.check_arguments(arguments)


def test_a_folder_without_stored_pages_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("no pages here")
    with pytest.raises(UsageError, match="holds no HTTP cache entries"):
        ReextractSpider.check_arguments({"source": str(tmp_path)})
    (tmp_path / "sub" / "page.html").write_bytes(SEED_PAGE.read_bytes())
    ReextractSpider.check_arguments({"source": str(tmp_path)})


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (stored(), None),
        (stored(url=f"{SITE}/markets/news"), "not-article-url"),
        (stored(status=404), "http-404"),
        (stored(status=301), "http-301"),
        (stored(content_type=b"image/png", body=PNG), "not-html"),
        (SkippedRecord("x", BROKEN), BROKEN),
    ],
)
def test_records_are_skipped_by_reason(record: Any, reason: str | None) -> None:
    assert skip_reason(record) == reason


def test_the_middleware_answers_from_the_store_and_fetches_nothing(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    middleware = StoredResponseMiddleware.from_crawler(spider.crawler)
    record = stored(body=SEED_PAGE.read_bytes())
    response = middleware.process_request(spider.stored_request(record))
    assert isinstance(response, HtmlResponse) and response.body == record.body and "stored" in response.flags
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request(SEED_URL))
    assert spider.crawler.stats.get_value("bs/reextract/refused") == 1


def test_the_item_is_dated_when_the_page_was_stored(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    when = datetime(2024, 3, 1, 6, 30, tzinfo=timezone.utc)
    record = StoredResponse(url=SEED_URL, status=200, headers={}, body=SEED_PAGE.read_bytes(), fetched_at=when, origin="test")
    request = spider.stored_request(record)
    (item,) = spider.parse_article(HtmlResponse(SEED_URL, body=record.body, request=request))
    assert isinstance(item, Article) and item.dateDownloaded == "2024-03-01T12:00:00+05:30" == iso_ist(when)
    assert request.dont_filter and request.meta["allow_offsite"] and request.meta[STORED_RECORD] is record


def test_the_live_site_middlewares_are_off_and_the_store_is_on(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    middlewares = spider.crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.reextract.middleware.StoredResponseMiddleware"] == 1000
    for name in ("retry.RetryMiddleware", "redirect.RedirectMiddleware", "httpcache.HttpCacheMiddleware", "robotstxt.RobotsTxtMiddleware"):
        assert middlewares[f"scrapy.downloadermiddlewares.{name}"] is None
    assert middlewares["crawler.middlewares.BlockPageMiddleware"] is None


# --- whole runs against the loopback site ----------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=60, seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def live(site: LoopbackSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A live crawl of a few articles (both layouts) with Scrapy's HTTP cache on."""
    workdir = tmp_path_factory.mktemp("live")
    legacy = [r for r in site.articles if r.layout != "current"][:3]
    current = [r for r in site.articles if r.layout == "current"][-5:]
    urls = [r.url for r in legacy + current]
    result = run_scrapy(
        "crawl", "article", "-a", "urls=" + ",".join(urls),
        "-s", f"BS_BASE_URL={site.base_url}", "-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={workdir / 'cache'}",
        "-O", str(workdir / "live.jsonl"), cwd=workdir,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    items = read_items(workdir / "live.jsonl")
    assert len(items) == len(urls)
    return {"workdir": workdir, "urls": urls, "items": items, "cache": workdir / "cache"}


@pytest.mark.xdist_group("reextract-live")
def test_reextracting_the_http_cache_gives_the_live_crawls_items(live: dict[str, Any]) -> None:
    items, stats, _ = reextract(live["cache"], live["workdir"], "from-cache")
    assert_same_items(items, live["items"])
    # Only article pages are cached (feeds, sitemaps, listings and robots.txt are always fetched live).
    assert stats["bs/reextract/records"] == len(live["urls"])
    assert "bs/reextract/skipped/not-article-url" not in stats
    # Each stored page went through the downloader middlewares as a response, none was fetched.
    assert stats["response_received_count"] == stats["item_scraped_count"] == len(live["urls"])
    assert "bs/reextract/refused" not in stats
    for article_id, item in items.items():
        fetched = datetime.fromisoformat(live["items"][article_id]["dateDownloaded"])
        assert abs(datetime.fromisoformat(item["dateDownloaded"]) - fetched) <= timedelta(seconds=2)


@pytest.mark.xdist_group("reextract-live")
def test_reextract_sends_no_request_to_the_site(site: LoopbackSite, live: dict[str, Any], tmp_path: Path) -> None:
    # `scrapy crawl reextract`, as a user runs it, pointed at the very site the pages came from: it
    # must answer every page from the store. (On Scrapy 2.17+ a spider's middleware settings at
    # project priority were overwritten when the crawler was built, and every page was fetched.)
    site.reset_counts()
    out = tmp_path / "out.jsonl"
    result = run_scrapy(
        "crawl", "reextract", "-a", f"source={live['cache']}", "-s", f"BS_BASE_URL={site.base_url}", "-O", str(out), cwd=tmp_path
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_items(read_items(out), live["items"])
    assert sum(site.counts.values()) == 0, site.counts
    assert site.article_requests() == 0


@pytest.mark.xdist_group("reextract-live")
def test_reextracting_a_folder_of_saved_pages_gives_the_live_crawls_items(live: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    (folder / "older").mkdir(parents=True)
    for index, url in enumerate(live["urls"]):
        status, _, body = fetch(url)
        assert status == 200
        # Saved under any name: the URL comes from the page's canonical link.
        if index % 2:
            (folder / f"page-{index}.html").write_bytes(body)
        else:
            (folder / "older" / f"page-{index}.html.gz").write_bytes(gzip.compress(body))
    items, stats, _ = reextract(folder, tmp_path, "from-folder")
    assert_same_items(items, live["items"])
    assert stats["bs/reextract/records"] == len(live["urls"])


@pytest.mark.xdist_group("reextract-live")
def test_reextracting_a_warc_gives_the_live_crawls_items(live: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "tests/test_reextract.py"}))
        for url in live["urls"]:
            write_response(writer, url, *fetch(url))
    items, stats, _ = reextract(path, tmp_path, "from-warc")
    assert_same_items(items, live["items"])
    assert stats["bs/reextract/records"] == len(live["urls"])  # request and warcinfo records are not responses
    # dateDownloaded is the archive's WARC-Date.
    with open(path, "rb") as stream:
        dates = {
            record.rec_headers.get_header("WARC-Target-URI"): record.rec_headers.get_header("WARC-Date")
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        }
    for item in items.values():
        assert item["dateDownloaded"] == iso_ist(parse_warc_date(dates[item["url"]]))


def test_broken_foreign_and_non_article_records_are_counted_by_reason(site: LoopbackSite, tmp_path: Path) -> None:
    current = [r for r in site.articles if r.layout == "current"]
    good, blocked, in_cache = current[0], current[1], current[2]
    folder = tmp_path / "mixed"
    folder.mkdir()
    # Saved pages: one good, one gzip cut short.
    (folder / "good.html").write_bytes(fetch(good.url)[2])
    (folder / "cut.html.gz").write_bytes(gzip.compress(fetch(good.url)[2])[:400])
    # A WARC: a listing page, a 404, an image at an article URL, a block page, a revisit; then a WARC cut short.
    site.set_fault(blocked.article_id, "block200")
    try:
        block_answer = fetch(blocked.url)
    finally:
        site.set_fault(blocked.article_id, None)
    with open(folder / "mixed.warc.gz", "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        write_response(writer, site.base_url + "/markets/news", *fetch(site.base_url + "/markets/news"))
        for index in range(150):  # a long run of skipped records, as a web archive's images make
            write_response(writer, f"{site.base_url}/_media/bs/img/{index}.png", 200, [("Content-Type", "image/png")], PNG)
        missing = site.base_url + "/india-news/no-such-story-124082199999_1.html"
        write_response(writer, missing, *fetch(missing))
        write_response(writer, f"{site.base_url}/photo/chart-124082100777_1.html", 200, [("Content-Type", "image/png")], PNG)
        write_response(writer, blocked.url, *block_answer)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(good.url, "revisit", payload=BytesIO(b""), http_headers=http))
    cut = folder / "cut.warc"
    with open(cut, "wb") as stream:
        write_response(WARCWriter(stream, gzip=False), good.url, *fetch(good.url))
    cut.write_bytes(cut.read_bytes()[:-2000])
    # The HTTP cache: one gzip-encoded article (decoded on the way, as in a crawl), one unreadable entry.
    packed = gzip.compress(fetch(in_cache.url)[2])
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    store_in_cache(folder / "cache", Response(in_cache.url, body=packed, headers=headers, request=Request(in_cache.url)))
    bad = store_in_cache(folder / "cache", html_response(good.url, b"<html></html>"))
    (bad / "pickled_meta").write_bytes(b"\x80\x04garbage")
    (bad / "meta").unlink()

    items, stats, log = reextract(folder, tmp_path, "mixed")
    assert sorted(items) == sorted([good.article_id, in_cache.article_id])
    skipped = {k.removeprefix("bs/reextract/skipped/"): v for k, v in stats.items() if k.startswith("bs/reextract/skipped/")}
    assert skipped == {"broken": 3, "not-article-url": 151, "http-404": 1, "not-html": 1, "revisit": 1}
    assert stats["bs/reextract/records"] == 160
    # The block page reached extraction, which said what it is; the run was not closed as blocked.
    assert stats["bs/skipped/blocked"] == 1 and "'finish_reason': 'finished'" in log
    assert stats["bs/exit_status"] == 0


def test_a_wrong_source_exits_with_status_2_before_anything_runs(tmp_path: Path) -> None:
    result = run_scrapy("crawl", "reextract", "-a", f"source={tmp_path / 'nothing-here'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Spider opened" not in result.stderr


@pytest.mark.xdist_group("reextract-live")
def test_progress_is_logged_every_n_records(live: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_scrapy(
        "crawl", "reextract", "-a", f"source={live['cache']}", "-s", "BS_REEXTRACT_PROGRESS_EVERY=3", "-O", str(out), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    progress = re.findall(r"\[reextract\] INFO: Read (\d+) stored records .* records/s", result.stderr)
    assert progress == ["3", "6"]
    assert re.search(r"Read all 8 stored records in [\d.]+ s \(\d+ records/s\): 8 handed to extraction; skipped: none", result.stderr)
