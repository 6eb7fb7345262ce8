"""Re-extraction from stores as real tools leave them: half-written cache entries, WARCs gzipped whole,
brotli and cut gzip bodies in WARC records, ARC files, saved pages named by another URL, Hindi stories,
AMP twins, and the exit status of a run whose records were all unreadable or none an article."""

from __future__ import annotations

import gzip
import json
import shutil
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
from crawler.reextract.middleware import skip_reason
from crawler.reextract.sources import (
    BROKEN,
    REVISIT,
    SkippedRecord,
    StoredResponse,
    iter_records,
    saved_page_url,
)
from tests.conftest import PAGES, SITE
from tests.test_reextract import SEED_PAGE, SEED_URL, html_response, run_scrapy, stats_in, store_in_cache

AMP_PAGE = PAGES / "amp" / "seed-syndicated" / "page.html"
AMP_URL = SITE + "/amp" + SEED_URL[len(SITE) :]
HINDI_PAGE = PAGES / "hindi-2020" / "budget-166607" / "page.html"
OTHER_PAGE = PAGES / "nextjs-2023" / "no-image" / "page.html"


def other_url() -> str:
    return str(json.loads((OTHER_PAGE.parent / "meta.json").read_text())["url"])


def reextract_run(source: Path, workdir: Path, *options: str) -> tuple[int, list[dict[str, Any]], dict[str, int], str]:
    """``scrapy crawl reextract -a source=… -O out.jsonl``: exit status, items, stats, log."""
    out = workdir / "out.jsonl"
    result = run_scrapy("crawl", "reextract", "-a", f"source={source}", "-O", str(out), *options, cwd=workdir)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return result.returncode, items, stats_in(result.stderr), result.stderr


def response_record(writer: WARCWriter, url: str, body: bytes, headers: list[tuple[str, str]]) -> None:
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http))


# --- Scrapy's HTTP cache ----------------------------------------------------------------------


@pytest.mark.parametrize("left", ["meta files only", "meta only"])
def test_a_cache_entry_a_killed_crawl_left_half_written_is_counted_broken(tmp_path: Path, left: str) -> None:
    # FilesystemCacheStorage writes meta, pickled_meta, response_headers, then response_body: a crawl
    # killed in between leaves an entry without a body, which was passed over without a word.
    store_in_cache(tmp_path / "cache", html_response(SEED_URL, SEED_PAGE.read_bytes()))
    entry = store_in_cache(tmp_path / "cache", html_response(other_url(), OTHER_PAGE.read_bytes()))
    for name in ("response_body", "response_data", "request_headers", "request_body"):
        (entry / name).unlink(missing_ok=True)  # response_data: Scrapy 2.14+ only
    if left == "meta only":
        (entry / "pickled_meta").unlink()
        (entry / "response_headers").unlink()
    records = sorted(iter_records(tmp_path / "cache"), key=lambda r: type(r).__name__)
    assert [type(r) for r in records] == [SkippedRecord, StoredResponse]
    assert records[0].reason == BROKEN and "half-written" in records[0].detail and other_url() in records[0].detail


def test_the_cache_keeps_hindi_stories_for_reextract() -> None:
    # `article` reads Hindi-edition stories; the cache policy stored English article pages only.
    crawler = get_crawler(Spider, {})
    policy = ArticlesOnlyPolicy(crawler.settings)
    for url in ("https://hindi.business-standard.com/storypage.php?autono=166607", "https://m.bshindi.com//storypage.php?autono=172480"):
        assert policy.should_cache_request(Request(url))
    assert not policy.should_cache_request(Request("https://hindi.business-standard.com/"))


# --- WARC and ARC files ---------------------------------------------------------------------------


def test_a_warc_gzipped_whole_is_read(tmp_path: Path) -> None:
    # `gzip crawl.warc` (or a tool writing one gzip stream): warcio refuses it after the first record.
    plain = BytesIO()
    writer = WARCWriter(plain, gzip=False)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "Wget/1.21.3"}))
    response_record(writer, SEED_URL, SEED_PAGE.read_bytes(), [])
    response_record(writer, other_url(), OTHER_PAGE.read_bytes(), [])
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(plain.getvalue()))
    records = list(iter_records(path))
    assert [(type(r), getattr(r, "url", None)) for r in records] == [(StoredResponse, SEED_URL), (StoredResponse, other_url())]
    # Cut short, it gives what it holds whole, then one broken record.
    path.write_bytes(gzip.compress(plain.getvalue())[:-100])  # into the last record
    records = list(iter_records(path))
    assert [type(r) for r in records] == [StoredResponse, SkippedRecord] and records[-1].reason == BROKEN


def test_arc_files_are_read(tmp_path: Path) -> None:
    def arc_record(line: bytes, content: bytes) -> bytes:
        return line + b"\n" + content + b"\n"

    version = b"1 0 Archive\nURL IP-address Archive-date Content-type Archive-length\n"
    parts = [arc_record(b"filedesc://crawl.arc 0.0.0.0 20240228101200 text/plain %d" % len(version), version)]
    body = SEED_PAGE.read_bytes()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    parts.append(arc_record(f"{SEED_URL} 127.0.0.1 20240228101200 text/html {len(http)}".encode(), http))
    (tmp_path / "crawl.arc").write_bytes(b"".join(parts))
    (tmp_path / "crawl.arc.gz").write_bytes(b"".join(gzip.compress(part) for part in parts))
    for name in ("crawl.arc", "crawl.arc.gz"):
        (record,) = iter_records(tmp_path / name)
        assert isinstance(record, StoredResponse) and (record.url, record.status, record.body) == (SEED_URL, 200, body)
        assert record.fetched_at is not None and record.fetched_at.isoformat() == "2024-02-28T10:12:00+00:00"


def test_warc_bodies_keep_their_encoding_for_scrapy_and_a_bad_one_ends_nothing(tmp_path: Path) -> None:
    # warcio decoded bodies itself: brotli failed (AttributeError) and ended the file there, and a
    # gzip body cut short came out as half a page, read as the whole story.
    brotli = pytest.importorskip("brotli", reason="Scrapy decodes br with brotli (a dependency of Scrapy 2.14+ only)")
    seed, other = SEED_PAGE.read_bytes(), OTHER_PAGE.read_bytes()
    packed = brotli.compress(seed)
    # (Half of it: the page packs to less than 3,000 bytes, and an empty body is no cut stream but an empty answer.)
    whole = gzip.compress(other)
    cut = whole[: len(whole) // 2]
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        response_record(writer, SEED_URL, packed, [("Content-Encoding", "br"), ("Content-Length", str(len(packed)))])
        response_record(writer, other_url(), cut, [("Content-Encoding", "gzip")])
    first, second = iter_records(path)
    assert isinstance(first, StoredResponse) and first.body == packed and first.headers[b"Content-Encoding"] == [b"br"]
    assert isinstance(second, StoredResponse) and second.body == cut
    status, items, stats, log = reextract_run(path, tmp_path)
    assert [item["articleId"] for item in items] == ["124022800873"]
    assert stats["bs/failed/data-loss"] == 1 and "bs/reextract/skipped/broken" not in stats
    assert status == 0, log[-2000:]


def test_a_revisit_of_an_image_is_no_article_payload_missing() -> None:
    # A deduplicating crawler's WARC is mostly revisits of images and scripts: one WARNING each.
    image = SkippedRecord("a.warc@10", REVISIT, "payload stored in an earlier record", url=SITE + "/_media/bs/img/1.jpg")
    assert skip_reason(image) == "not-article-url"
    article = SkippedRecord("a.warc@20", REVISIT, "payload stored in an earlier record", url=SEED_URL)
    assert skip_reason(article) == REVISIT


# --- saved pages and Hindi stories ----------------------------------------------------------------


def test_a_saved_page_is_named_by_the_first_url_it_gives_that_is_an_article(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    # A syndicated story whose canonical link names the agency's page, its og:url ours.
    head = (
        b'<html><head><link rel="canonical" href="https://www.reuters.com/world/india/story-2024-02-28/">'
        b'<meta property="og:url" content="' + SEED_URL.encode() + b'"></head><body></body></html>'
    )
    assert saved_page_url(head, page) == SEED_URL
    # No link nor og:url, the JSON-LD in the body names it.
    body = (
        b"<html><head><title>t</title></head><body><script type=\"application/ld+json\">"
        b'{"@type": "NewsArticle", "headline": "h", "mainEntityOfPage": {"@id": "' + SEED_URL.encode() + b'"}}</script></body></html>'
    )
    assert saved_page_url(body, page) == SEED_URL
    # None of it, but saved under the URL's own file name (wget, a browser's "Save as").
    named = tmp_path / "india-us-defence-meet-124022800873_1.html"
    assert saved_page_url(b"<html><head></head><body></body></html>", named) == named.as_uri()


def test_saved_pages_that_name_no_article_are_a_warning_each_and_a_failed_run(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    stripped = b"<html><head><title>Saved</title></head><body><h1>A story</h1><p>Text.</p></body></html>"
    (folder / "page1.html").write_bytes(stripped)
    (folder / "page2.htm").write_bytes(stripped)
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert items == [] and stats["bs/reextract/skipped/not-article-url"] == 2
    assert log.count("WARNING: Skipped " + str(folder)) == 2
    assert status == 1 and "exit=1 (none of the 2 stored record(s) is an article page that could be read (not-article-url=2))" in log


def test_hindi_stories_in_a_store_are_extracted(tmp_path: Path) -> None:
    # Read with `article -a url=…storypage.php?autono=N`; the store's copy was skipped as "not an article URL".
    url = "https://hindi.business-standard.com//storypage.php?autono=166607"
    folder = tmp_path / "store"
    store_in_cache(folder / "cache", html_response(url, HINDI_PAGE.read_bytes()))
    (folder / "saved").mkdir()
    (folder / "saved" / "story.html").write_bytes(HINDI_PAGE.read_bytes())
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert [item["articleId"] for item in items] == ["hi-166607"]
    assert stats["article/dropped/duplicate"] == 1 and status == 0, log[-2000:]


# --- the AMP twin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["warc", "saved pages"])
def test_an_article_stored_as_amp_first_and_as_its_page_gives_the_pages_item(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "source"
    source.mkdir()
    if kind == "warc":
        with open(source / "crawl.warc.gz", "wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            response_record(writer, AMP_URL, AMP_PAGE.read_bytes(), [])
            response_record(writer, SEED_URL, SEED_PAGE.read_bytes(), [])
    else:
        # Both name the article's page in their canonical link; a folder's files are read before its subfolders.
        shutil.copy(AMP_PAGE, source / "amp.html")
        (source / "later").mkdir()
        shutil.copy(SEED_PAGE, source / "later" / "page.html")
    status, items, stats, log = reextract_run(source, tmp_path)
    (item,) = items
    assert (item["url"], item["layout"]) == (SEED_URL, "nextjs-2023") and item["breadcrumbs"] and item["alsoRead"]
    assert stats["article/dropped/duplicate"] == 1 and status == 0


def test_an_article_stored_as_amp_only_still_gives_its_item(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    with open(path, "wb") as stream:
        response_record(WARCWriter(stream, gzip=False), AMP_URL, AMP_PAGE.read_bytes(), [])
    status, items, _, _ = reextract_run(path, tmp_path)
    assert [(item["articleId"], item["layout"]) for item in items] == [("124022800873", "amp")] and status == 0


# --- the run's verdict --------------------------------------------------------------------------------


def test_a_store_of_broken_records_only_fails_the_run_naming_them(tmp_path: Path) -> None:
    for index, (url, page) in enumerate(((SEED_URL, SEED_PAGE), (other_url(), OTHER_PAGE))):
        entry = store_in_cache(tmp_path / "cache", html_response(url, page.read_bytes()))
        (entry / "pickled_meta").write_bytes(b"\x80\x04junk" if index else b"")
        (entry / "meta").unlink()
    status, items, stats, log = reextract_run(tmp_path / "cache", tmp_path)
    assert items == [] and stats["bs/reextract/skipped/broken"] == 2
    assert status == 1, log[-2000:]
    assert "records: read=2 passed over=2 (broken=2)" in log
    assert "exit=1 (none of the 2 stored record(s) is an article page that could be read (broken=2))" in log


def test_a_store_partly_unreadable_is_read_and_its_summary_counts_them(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    store_in_cache(cache, html_response(SEED_URL, SEED_PAGE.read_bytes()))
    broken = store_in_cache(cache, html_response(other_url(), OTHER_PAGE.read_bytes()), gzip_files=True)
    (broken / "response_body").write_bytes((broken / "response_body").read_bytes()[:300])
    status, items, stats, log = reextract_run(cache, tmp_path)
    assert len(items) == 1 and stats["bs/reextract/skipped/broken"] == 1
    assert status == 0 and "records: read=2 passed over=1 (broken=1)" in log, log[-2000:]


# --- bodies stored decoded, pages saved packed, pages stored as resources -------------------------------


def test_a_warc_body_stored_decoded_under_its_content_encoding_is_read_as_it_is(tmp_path: Path) -> None:
    # Tools that capture through a browser store the body decoded and keep the header: decoding it
    # again failed the page ("Not a gzipped file").
    path = tmp_path / "browser.warc"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        response_record(writer, SEED_URL, b"\xef\xbb\xbf" + SEED_PAGE.read_bytes(), [("Content-Encoding", "gzip")])
        response_record(writer, other_url(), OTHER_PAGE.read_bytes(), [("Content-Encoding", "br")])
    assert all(b"Content-Encoding" not in record.headers for record in iter_records(path) if isinstance(record, StoredResponse))
    status, items, stats, log = reextract_run(path, tmp_path)
    assert sorted(item["articleId"] for item in items) == sorted(["124022800873", other_url().rsplit("-", 1)[1][:12]])
    assert status == 0 and "bs/failed/other" not in stats, log[-2000:]


def test_saved_pages_are_unpacked_by_their_bytes_not_their_name(tmp_path: Path) -> None:
    # wget saves a gzip body it was sent under the URL's name; a ".html.gz" may hold the page unpacked.
    (tmp_path / "story.html").write_bytes(gzip.compress(SEED_PAGE.read_bytes()))
    (tmp_path / "other.html.gz").write_bytes(OTHER_PAGE.read_bytes())
    records = sorted(iter_records(tmp_path), key=lambda r: r.origin)
    assert [(type(r), getattr(r, "url", None)) for r in records] == [(StoredResponse, other_url()), (StoredResponse, SEED_URL)]
    assert records[1].body == SEED_PAGE.read_bytes()


def test_a_page_stored_as_a_warc_resource_record_is_read(tmp_path: Path) -> None:
    # Tools that turn a folder of saved pages into a WARC write resource records (no HTTP answer); a
    # crawler's log in one (wget's metadata://… record) is no page.
    path = tmp_path / "pages.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warc_record(SEED_URL, "resource", payload=BytesIO(SEED_PAGE.read_bytes()), warc_content_type="text/html"))
        log = "metadata://gnu.org/software/wget/warc/wget.log"
        writer.write_record(writer.create_warc_record(log, "resource", payload=BytesIO(b"log"), warc_content_type="text/plain"))
    (record,) = iter_records(path)
    assert isinstance(record, StoredResponse) and (record.url, record.status) == (SEED_URL, 200)
    assert record.headers == {b"Content-Type": [b"text/html"]} and record.fetched_at is not None


def test_a_warc_with_no_stored_response_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "requests.warc"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        writer.write_record(writer.create_warcinfo_record("requests.warc", {"software": "test"}))
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "www.business-standard.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(SEED_URL, "request", payload=BytesIO(b""), http_headers=request))
    status, items, _, log = reextract_run(path, tmp_path)
    assert items == [] and status == 1 and "exit=1 (the source holds no stored response" in log


def test_a_state_dir_that_is_a_file_costs_a_reextraction_no_traceback(tmp_path: Path) -> None:
    # Re-extraction uses no seen-store, so nothing refuses the run first: the run history's marker,
    # never written, was removed at the end with a traceback.
    (tmp_path / ".state").write_text("not a folder")
    path = tmp_path / "crawl.warc"
    with open(path, "wb") as stream:
        response_record(WARCWriter(stream, gzip=False), SEED_URL, SEED_PAGE.read_bytes(), [])
    status, items, _, log = reextract_run(path, tmp_path)  # asserts no traceback
    assert len(items) == 1 and status == 0


def test_a_web_archives_videos_and_cut_images_do_not_count_as_unreadable_articles(tmp_path: Path) -> None:
    # Over the size limit or stored cut short, a record of no article URL is one more page that is no
    # article: counted as unreadable articles, a site's archive with its videos failed the run.
    path = tmp_path / "site.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        response_record(writer, SEED_URL, SEED_PAGE.read_bytes(), [])
        for index in range(3):
            video = SITE + f"/_media/bs/video/{index}.mp4"
            http = StatusAndHeaders("200 OK", [("Content-Type", "video/mp4")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(video, "response", payload=BytesIO(b"\0" * 300_000), http_headers=http))
        image = SITE + "/_media/bs/img/1.jpg"
        http = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
        truncated = {"WARC-Truncated": "length"}
        writer.write_record(writer.create_warc_record(image, "response", payload=BytesIO(b"\xff\xd8"), http_headers=http, warc_headers_dict=truncated))
    status, items, stats, log = reextract_run(path, tmp_path, "-s", "DOWNLOAD_MAXSIZE=200000")
    assert len(items) == 1 and stats["bs/reextract/skipped/not-article-url"] == 4
    assert "bs/reextract/skipped/too-large" not in stats and "bs/reextract/skipped/truncated" not in stats
    assert status == 0, log[-2000:]


def test_a_dbm_cache_is_refused_naming_what_it_is(tmp_path: Path) -> None:
    # HTTPCACHE_STORAGE=…DbmCacheStorage keeps <spider>.db: "holds no HTTP cache entries" told a user
    # with a cache that they had none.
    from scrapy.exceptions import UsageError
    from scrapy.extensions.httpcache import DbmCacheStorage

    from crawler.spiders.reextract import ReextractSpider

    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(tmp_path / "cache"), "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.DbmCacheStorage"})
    spider = Spider.from_crawler(crawler, name="article")
    storage = DbmCacheStorage(crawler.settings)
    storage.open_spider(spider)
    response = html_response(SEED_URL, SEED_PAGE.read_bytes())
    storage.store_response(spider, response.request, response)
    storage.close_spider(spider)
    files = sorted((tmp_path / "cache").iterdir())
    for source in (tmp_path / "cache", files[0]):
        with pytest.raises(UsageError, match=r"is a DBM HTTP cache \(article\.db.*only Scrapy's filesystem cache storage is read"):
            ReextractSpider.check_arguments({"source": str(source)})


def test_a_cache_body_a_killed_crawl_cut_while_writing_it_is_broken(tmp_path: Path) -> None:
    # No Content-Length (a chunked answer), no HTTPCACHE_GZIP: the body cut mid-write read as the whole
    # page, a story without its end. Scrapy writes the request's files after the body.
    body = SEED_PAGE.read_bytes()
    entry = store_in_cache(tmp_path / "cache", html_response(SEED_URL, body))
    (entry / "response_body").write_bytes(body[: len(body) // 2])
    for name in ("response_data", "request_headers", "request_body"):
        (entry / name).unlink(missing_ok=True)  # response_data: Scrapy 2.14+ only
    (record,) = iter_records(tmp_path / "cache")
    assert isinstance(record, SkippedRecord) and record.reason == BROKEN and "half-written" in record.detail
    # Whole entries, and entries whose body something else vouches for, are read.
    whole = store_in_cache(tmp_path / "other", html_response(SEED_URL, body))
    assert isinstance(next(iter_records(whole)), StoredResponse)
