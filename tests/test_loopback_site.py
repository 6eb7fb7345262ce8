"""The loopback site serves what it promises, and the project's extractor reads its pages."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree
from parsel import Selector

from crawler.extraction import NotAnArticle, extract_article, is_block_page
from tests.conftest import shared_file
from tests.loopback.corpus import AGENCIES, CURRENT, PRE2023, SECTIONS, ArticleRecord, Corpus
from tests.loopback.site import LISTING_PAGE_SIZE, SECTION_FEEDS, LoopbackSite

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(site: LoopbackSite, path: str) -> tuple[int, Message, bytes]:
    """Status, headers and body of a GET, errors included, redirects not followed."""
    try:
        with _OPENER.open(site.base_url + path, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    """A shared site for tests that only read."""
    with LoopbackSite(articles=60, seed=1) as shared:
        yield shared
        assert shared.errors == []


@pytest.fixture
def fresh() -> Iterator[LoopbackSite]:
    """A site of its own for tests that change articles, faults or counts."""
    with LoopbackSite(articles=60, seed=2, slow_seconds=0.3) as own:
        yield own
        assert own.errors == []


def current(site: LoopbackSite) -> list[ArticleRecord]:
    return [r for r in site.articles if r.layout == CURRENT]


def xml(body: bytes) -> etree._Element:
    return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def child(element: etree._Element, path: str) -> str:
    """The text of a child element that must be there."""
    value = element.findtext(path)
    assert value is not None, path
    return value


def sitemap_entries(site: LoopbackSite, path: str) -> dict[str, str]:
    """loc → lastmod of a sitemap (or sitemap index)."""
    return {child(node, f"{SM}loc"): child(node, f"{SM}lastmod") for node in xml(fetch(site, path)[2]) if node.tag in (f"{SM}url", f"{SM}sitemap")}


def monthly_urls(site: LoopbackSite) -> list[str]:
    urls: list[str] = []
    for loc in sitemap_entries(site, "/sitemap/sitemap-index.xml"):
        path = loc.removeprefix(site.base_url)
        assert re.fullmatch(r"/sitemap/\d{4}-[a-z]+-\d+\.xml", path), path
        urls.extend(sitemap_entries(site, path))
    return urls


def page(body: bytes) -> Selector:
    return Selector(text=body.decode())


# --- the corpus ----------------------------------------------------------------


def test_corpus_is_deterministic_and_ids_encode_the_publication_day() -> None:
    first, second = Corpus(articles=300, seed=7), Corpus(articles=300, seed=7)
    assert [(r.article_id, r.headline) for r in first.records] == [(r.article_id, r.headline) for r in second.records]
    assert first.records[-1].spec == second.records[-1].spec
    assert [r.article_id for r in Corpus(articles=300, seed=8).records] != [r.article_id for r in first.records]
    ids = [r.article_id for r in first.records]
    assert len(set(ids)) == len(ids) == 310
    for record in first.records:
        assert re.fullmatch(r"1\d{11}", record.article_id)
        assert record.article_id[1:7] == record.published.strftime("%y%m%d")
        assert record.published.utcoffset() == timedelta(hours=5, minutes=30)
        assert record.modified >= record.published
    published = [r.published for r in first.records]
    assert published == sorted(published)


def test_corpus_varies_like_the_site() -> None:
    records = Corpus(articles=400, seed=3).records
    legacy = [r for r in records if r.layout == PRE2023]
    assert len(legacy) == 10 and all(2021 <= r.published.year <= 2022 for r in legacy)
    assert all(r.path.startswith("/article/") for r in legacy)
    modern = [r for r in records if r.layout == CURRENT]
    assert all(r.published.year == 2024 for r in modern)
    assert len({(r.published.year, r.published.month) for r in modern}) >= 3
    assert {r.section.path for r in modern} == {s.path for s in SECTIONS}
    specs = [r.spec for r in modern]
    authors = Counter(a.name for s in specs for a in s.authors)
    assert all(agency.name in authors for agency in AGENCIES)
    assert any(len(s.authors) > 1 for s in specs)
    assert any(s.premium for s in specs) and any(s.syndicated for s in specs)
    assert any(s.image_url for s in specs) and any(not s.image_url for s in specs)
    assert len({len(s.paragraphs) for s in specs}) >= 5
    ids = {r.article_id for r in records}
    also_read = [path for s in specs for _, path in s.also_read]
    assert also_read and all(p[-19:-7] in ids for p in also_read)


def test_twenty_thousand_articles_are_cheap() -> None:
    # CPU time, not wall time: other work on the machine (or other test workers) must not fail it.
    start = time.process_time()
    corpus = Corpus(articles=20000)
    assert time.process_time() - start < 5
    assert len(corpus.records) == 20010


# --- articles ---------------------------------------------------------------------


def test_article_pages_extract_to_their_records(site: LoopbackSite) -> None:
    sample = current(site)[::4] + [r for r in site.articles if r.layout == PRE2023]
    for record in sample:
        status, headers, body = fetch(site, record.path)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        article = extract_article(body, record.url)
        assert article.articleId == record.article_id
        assert article.headline == record.spec.headline
        assert article.datePublished == record.published.isoformat()
        assert article.dateModified == record.modified.isoformat()
        assert article.canonicalUrl == record.url
        assert article.layout == ("pre2023" if record.layout == PRE2023 else "nextjs-2023")
        # Pre-2023 pages carried no syndication note (the real 2019 PTI page has none).
        assert article.isSyndicated == (record.spec.syndicated and record.layout == CURRENT)
        assert article.isPremium == record.spec.premium


def test_amp_and_other_slugs_serve_the_same_article(site: LoopbackSite) -> None:
    record = current(site)[-1]
    amp = extract_article(fetch(site, "/amp" + record.path)[2], site.base_url + "/amp" + record.path)
    assert (amp.layout, amp.canonicalUrl, amp.articleId) == ("amp", record.url, record.article_id)
    other = f"/a/a-{record.article_id}_1.html"
    article = extract_article(fetch(site, other)[2], site.base_url + other)
    assert (article.canonicalUrl, article.headline) == (record.url, record.spec.headline)
    assert fetch(site, "/india-news/no-such-story-124112599999_1.html")[0] == 404


def test_pages_point_at_the_loopback(site: LoopbackSite) -> None:
    record = next(r for r in reversed(current(site)) if r.spec.image_url and r.spec.also_read)
    text = fetch(site, record.path)[2].decode()
    assert f'<link rel="canonical" href="{record.url}">' in text
    assert all(site.base_url + path in text for _, path in record.spec.also_read)
    status, headers, _ = fetch(site, str(record.spec.image_url).removeprefix(site.base_url))
    assert status == 200 and headers["Content-Type"].startswith("image/")


# --- listings and other pages that are not articles ----------------------------------------


@pytest.mark.parametrize("path", ["/", "/latest-news", "/latest-news/page-2", "/markets/news", "/opinion", "/topic/sensex", "/markets/live-market"])
def test_non_article_pages_are_not_taken_for_articles(site: LoopbackSite, path: str) -> None:
    status, _, body = fetch(site, path)
    assert status == 200
    with pytest.raises(NotAnArticle) as raised:
        extract_article(body, site.base_url + path)
    assert raised.value.reason == "listing"


def test_video_page_is_linked_and_not_an_article(site: LoopbackSite) -> None:
    assert site.video.path in fetch(site, "/latest-news")[2].decode()
    with pytest.raises(NotAnArticle) as raised:
        extract_article(fetch(site, site.video.path)[2], site.base_url + site.video.path)
    assert raised.value.reason == "video"


def test_latest_news_pages_list_every_article_newest_first(site: LoopbackSite) -> None:
    seen: list[str] = []
    path: str | None = "/latest-news"
    while path:
        listing = page(fetch(site, path)[2])
        cards = listing.css(".cardlist")
        assert 0 < len(cards) <= LISTING_PAGE_SIZE
        assert all("min read" in " ".join(card.css("::text").getall()) for card in cards)
        seen.extend(card.css("a::attr(href)").get("") for card in cards)
        path = listing.css('a[rel="next"]::attr(href)').get()
        if path:
            assert len(cards) == LISTING_PAGE_SIZE
    assert seen == [r.path for r in reversed(current(site))]
    assert fetch(site, f"/latest-news/page-{len(seen) // LISTING_PAGE_SIZE + 2}")[0] == 404


def test_section_listing_holds_only_its_section(site: LoopbackSite) -> None:
    hrefs = page(fetch(site, "/markets/news")[2]).css(".cardlist a::attr(href)").getall()
    expected = [r.path for r in reversed(current(site)) if r.section.path == "markets/news"][:LISTING_PAGE_SIZE]
    assert hrefs == expected and hrefs


# --- sitemaps, feeds, robots.txt, ticker --------------------------------------------------------


def test_monthly_sitemaps_hold_every_article_once(site: LoopbackSite) -> None:
    urls = monthly_urls(site)
    assert Counter(urls) == Counter(r.url for r in site.articles)


def test_monthly_sitemaps_split_at_the_page_size() -> None:
    with LoopbackSite(articles=60, seed=1, sitemap_page_size=7) as small:
        urls = monthly_urls(small)
        assert Counter(urls) == Counter(r.url for r in small.articles)
        assert "/sitemap/2024-october-3.xml" in fetch(small, "/sitemap/sitemap-index.xml")[2].decode()


def test_news_and_latest_sitemaps(site: LoopbackSite) -> None:
    news = xml(fetch(site, "/sitemap/google-news-sitemap.xml")[2])
    recent = {r.url: r for r in current(site) if r.published >= site.now - timedelta(hours=48)}
    assert recent and {child(u, f"{SM}loc") for u in news} == set(recent)
    for url in news:
        record = recent[child(url, f"{SM}loc")]
        assert child(url, f"{NEWS}news/{NEWS}publication/{NEWS}name") == "Business Standard"
        assert child(url, f"{NEWS}news/{NEWS}title") == record.headline
        assert child(url, f"{NEWS}news/{NEWS}publication_date") == record.published.isoformat()
    latest = list(sitemap_entries(site, "/sitemap/latest-news-sitemap.xml"))
    assert latest == [r.url for r in reversed(site.articles)][:100]


@pytest.mark.parametrize("feed", ["latest", *SECTION_FEEDS])
def test_rss_feeds_are_shaped_like_the_real_one(site: LoopbackSite, feed: str) -> None:
    status, headers, body = fetch(site, f"/rss/{feed}.rss")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    assert b"<title><![CDATA[" in body
    items = xml(body).findall("channel/item")
    family = SECTION_FEEDS.get(feed)
    expected = [r for r in reversed(current(site)) if family in (None, r.section.family)][:50]
    assert [child(i, "link") for i in items] == [r.url for r in expected] and items
    for item, record in zip(items, expected):
        assert child(item, "guid") == record.url
        assert child(item, "pubDate").endswith("+0530")
        assert parsedate_to_datetime(child(item, "pubDate")) == record.modified
        assert item.find("{https://search.yahoo.com/mrss/}group") is not None


def test_robots_txt_keeps_the_real_rules_and_points_at_the_loopback(site: LoopbackSite) -> None:
    text = fetch(site, "/robots.txt")[2].decode()
    real = shared_file("real/robots-2019-07.txt").read_text()
    assert [line for line in text.splitlines() if line.startswith(("Disallow", "Allow", "User-agent"))] == [
        line for line in real.splitlines() if line.startswith(("Disallow", "Allow", "User-agent"))
    ]
    sitemaps = [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("Sitemap:")]
    assert sitemaps == [f"{site.base_url}/sitemap/{n}.xml" for n in ("sitemap-index", "google-news-sitemap", "latest-news-sitemap")]
    assert all(fetch(site, url.removeprefix(site.base_url))[0] == 200 for url in sitemaps)


def test_ticker(site: LoopbackSite) -> None:
    assert json.loads(fetch(site, "/market/ticker.json")[2]) == site.ticker
    assert set(site.ticker) == {"Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"}


# --- changes ------------------------------------------------------------------------------------


def test_modify_changes_page_sitemap_and_feed(fresh: LoopbackSite) -> None:
    record = current(fresh)[-1]
    before = extract_article(fetch(fresh, record.path)[2], record.url)
    old_modified = record.modified
    fresh.modify(record.article_id)
    assert record.modified == old_modified + timedelta(hours=1)
    after = extract_article(fetch(fresh, record.path)[2], record.url)
    assert after.dateModified == record.modified.isoformat() != before.dateModified
    assert before.articleBody and after.articleBody and after.articleBody.startswith(before.articleBody + "\n")
    month = f"/sitemap/{record.published.year}-{record.published.strftime('%B').lower()}-1.xml"
    assert sitemap_entries(fresh, month)[record.url] == record.modified.isoformat()
    assert sitemap_entries(fresh, "/sitemap/sitemap-index.xml")[fresh.base_url + month] == record.modified.isoformat()
    assert parsedate_to_datetime(child(xml(fetch(fresh, "/rss/latest.rss")[2]), "channel/item/pubDate")) == record.modified


def test_added_articles_show_everywhere(fresh: LoopbackSite) -> None:
    newest = current(fresh)[-1]
    added = fresh.add_articles(3)
    assert all(r.published > newest.published and r.article_id[1:7] == r.published.strftime("%y%m%d") for r in added)
    assert [r.url for r in reversed(added)] == [child(i, "link") for i in xml(fetch(fresh, "/rss/latest.rss")[2]).findall("channel/item")][:3]
    news = fetch(fresh, "/sitemap/google-news-sitemap.xml")[2].decode()
    listing = fetch(fresh, "/latest-news")[2].decode()
    assert all(r.url in news and f'href="{r.path}"' in listing for r in added)
    assert Counter(monthly_urls(fresh)) == Counter(r.url for r in fresh.articles)
    assert extract_article(fetch(fresh, added[0].path)[2], added[0].url).articleId == added[0].article_id


# --- counting, faults, blocking ------------------------------------------------------------------


def test_counts_every_form_of_an_article(fresh: LoopbackSite) -> None:
    record = current(fresh)[-1]
    fetch(fresh, "/robots.txt")
    for path in (record.path, "/amp" + record.path, f"/a/a-{record.article_id}_1.html?utm=x"):
        fetch(fresh, path)
    legacy = fresh.articles[0]
    fetch(fresh, legacy.path)
    fetch(fresh, "/_control/counts")
    assert fresh.article_requests() == 4 and fresh.article_requests(record.article_id) == 3
    assert fresh.counts[f"/a/a-{record.article_id}_1.html"] == 1 and fresh.counts["/robots.txt"] == 1
    assert not any(path.startswith("/_control/") for path in fresh.counts)
    fresh.reset_counts()
    assert fresh.article_requests() == 0 and not fresh.counts


def test_control_endpoints(fresh: LoopbackSite) -> None:
    record = current(fresh)[-1]
    fetch(fresh, record.path)
    counts = json.loads(fetch(fresh, "/_control/counts")[2])
    assert counts["article_requests"] == 1 and counts["paths"] == {record.path: 1}
    assert json.loads(fetch(fresh, "/_control/reset")[2]) == {"ok": True} and fresh.article_requests() == 0
    modified = json.loads(fetch(fresh, f"/_control/modify?id={record.article_id}")[2])["modified"]
    assert modified == record.modified.isoformat()
    fetch(fresh, f"/_control/fault?id={record.article_id}&kind=404")
    assert fetch(fresh, record.path)[0] == 404
    fetch(fresh, f"/_control/fault?id={record.article_id}&kind=")
    assert fetch(fresh, record.path)[0] == 200
    assert fetch(fresh, "/_control/fault?id=1&kind=404")[0] == 404
    assert fetch(fresh, f"/_control/fault?id={record.article_id}&kind=nonsense")[0] == 400
    fetch(fresh, "/_control/block_all?on=1")
    assert fetch(fresh, "/robots.txt")[0] == 403
    fetch(fresh, "/_control/block_all?on=0")
    assert fetch(fresh, "/robots.txt")[0] == 200
    added = json.loads(fetch(fresh, "/_control/add?n=2")[2])
    listed = json.loads(fetch(fresh, "/_control/articles")[2])
    assert [a["id"] for a in listed[-2:]] == [a["id"] for a in added] and len(listed) == len(fresh.articles)


def test_block_all_answers_akamai_everywhere(fresh: LoopbackSite) -> None:
    fresh.block_all = True
    for path in ("/robots.txt", "/sitemap/sitemap-index.xml", current(fresh)[0].path):
        status, headers, body = fetch(fresh, path)
        text = body.decode()
        assert status == 403 and "<TITLE>Access Denied</TITLE>" in text and "errors.edgesuite.net" in text
        assert len(body) < 1000 and is_block_page(text)
    with pytest.raises(NotAnArticle) as raised:
        extract_article(body, fresh.base_url + path)
    assert raised.value.reason == "blocked"


def test_block_page_as_akamai_writes_it_is_recognised(fresh: LoopbackSite) -> None:
    fresh.block_all = fresh.block_page_encoded = True
    text = fetch(fresh, "/robots.txt")[2].decode()
    assert "Reference&#32;&#35;18&#46;" in text
    assert is_block_page(text)


def test_faults_apply_to_every_form(fresh: LoopbackSite) -> None:
    first, second = current(fresh)[-2:]
    fresh.set_fault(first.article_id, "block403")
    fresh.set_fault(second.article_id, "block200")
    for path in (first.path, "/amp" + first.path, f"/x/y-{first.article_id}_1.html"):
        status, _, body = fetch(fresh, path)
        assert status == 403 and is_block_page(body.decode())
    status, _, body = fetch(fresh, second.path)
    assert status == 200 and is_block_page(body.decode())
    fresh.set_fault(second.article_id, None)
    assert fetch(fresh, second.path)[0] == 200
    with pytest.raises(ValueError):
        fresh.set_fault(first.article_id, "nonsense")


def test_status_faults(fresh: LoopbackSite) -> None:
    records = current(fresh)
    for record, kind, statuses in (
        (records[0], "error500-once", [500, 200, 200]),
        (records[1], "error503-always", [503, 503]),
        (records[2], "404", [404]),
        (records[3], "410", [410]),
        (records[4], "redirect-home", [302]),
    ):
        fresh.set_fault(record.article_id, kind)
        assert [fetch(fresh, record.path)[0] for _ in statuses] == statuses, kind
    assert fetch(fresh, records[4].path)[1]["Location"] == "/"


def test_slow_fault_waits(fresh: LoopbackSite) -> None:
    record = current(fresh)[0]
    fresh.set_fault(record.article_id, "slow")
    start = time.perf_counter()
    assert fetch(fresh, record.path)[0] == 200
    assert time.perf_counter() - start >= fresh.slow_seconds


def test_body_faults(fresh: LoopbackSite) -> None:
    records = current(fresh)
    normal = fetch(fresh, records[0].path)[2]

    fresh.set_fault(records[0].article_id, "truncated")
    connection = http.client.HTTPConnection("127.0.0.1", fresh.port, timeout=5)
    connection.request("GET", records[0].path)
    response = connection.getresponse()
    assert int(response.headers["Content-Length"]) == len(normal)
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    connection.close()

    fresh.set_fault(records[0].article_id, "latin1")
    status, headers, body = fetch(fresh, records[0].path)
    assert headers["Content-Type"] == "text/html; charset=utf-8" and body != normal
    assert body == normal.decode().encode("cp1252", errors="replace")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")

    fresh.set_fault(records[1].article_id, "empty")
    status, headers, body = fetch(fresh, records[1].path)
    assert (status, body, headers["Content-Length"]) == (200, b"", "0")

    fresh.set_fault(records[2].article_id, "gzip-bomb")
    status, headers, body = fetch(fresh, records[2].path)
    assert headers["Content-Encoding"] == "gzip" and body[:2] == b"\x1f\x8b"
    assert len(body) < 100_000 and int(headers["Content-Length"]) == len(body)


def test_paywall_stub_has_no_story(fresh: LoopbackSite) -> None:
    record = current(fresh)[-1]
    fresh.set_fault(record.article_id, "paywall-stub")
    stub = page(fetch(fresh, record.path)[2])
    data = json.loads(stub.css("#__NEXT_DATA__::text").get(""))["props"]["pageProps"]["data"]
    assert data["htmlContent"] == "" and data["isPremium"] == 1
    assert not stub.css(".non-paywall-content ::text").getall() and stub.css(".strlabel")
    assert record.spec.paragraphs[0] not in " ".join(stub.css("::text").getall())


def test_paywall_stub_is_recognised(fresh: LoopbackSite) -> None:
    record = current(fresh)[-1]
    fresh.set_fault(record.article_id, "paywall-stub")
    with pytest.raises(NotAnArticle) as raised:
        extract_article(fetch(fresh, record.path)[2], record.url)
    assert raised.value.reason == "paywall-stub"


# --- HTTP ----------------------------------------------------------------------------------------


def test_keep_alive_and_stop() -> None:
    site = LoopbackSite(articles=10).start()
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    for record in site.articles[-3:]:
        connection.request("GET", record.path)
        response = connection.getresponse()
        assert response.status == 200 and int(response.headers["Content-Length"]) == len(response.read())
        assert response.version == 11 and not response.will_close
    connection.close()
    site.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(site.base_url + "/robots.txt", timeout=2)


# --- misbehaving paths (discovery's hostile site) ------------------------------------------------------

import gzip as _gzip  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from tests.conftest import ROOT  # noqa: E402


def test_path_faults_on_sitemaps_and_feeds(fresh: LoopbackSite) -> None:
    month = fresh.monthly_sitemaps()[0][0]
    normal = fetch(fresh, month)[2]

    fresh.set_path_fault(month, "self-listing")
    body = fetch(fresh, month)[2]
    assert xml(body).tag == f"{SM}sitemapindex" and [child(n, f"{SM}loc") for n in xml(body)] == [fresh.base_url + month]
    fresh.set_path_fault("/sitemap/sitemap-index.xml", "self-listing")
    listed = sitemap_entries(fresh, "/sitemap/sitemap-index.xml")
    assert fresh.base_url + "/sitemap/sitemap-index.xml" in listed and fresh.base_url + month in listed

    for kind, header in (("gzip", "gzip"), ("gzip-bare", None)):
        fresh.set_path_fault(month, kind)
        status, headers, body = fetch(fresh, month)
        assert headers["Content-Encoding"] == header and _gzip.decompress(body) == normal
    for kind in ("gzip-cut", "gzip-bare-cut"):
        fresh.set_path_fault(month, kind)
        with pytest.raises(EOFError):
            _gzip.decompress(fetch(fresh, month)[2])

    fresh.set_path_fault(month, "huge")
    body = fetch(fresh, month)[2]
    assert body.count(b"<url>") == 50_000 and len(body) > 11_000_000
    assert xml(body).tag == f"{SM}urlset"

    fresh.set_path_fault(month, "offsite")
    status, headers, _ = fetch(fresh, month)
    assert status == 302 and headers["Location"] == f"http://127.0.0.2:{fresh.port}{month}"

    fresh.set_path_fault("/sitemap/google-news-sitemap.xml", "maintenance")
    status, headers, body = fetch(fresh, "/sitemap/google-news-sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"maintenance" in body

    fresh.set_path_fault("/latest-news", "no-links")
    assert not re.search(rb"_\d+\.html", fetch(fresh, "/latest-news")[2])

    fresh.set_path_fault("/rss/latest.rss", "nbsp")
    body = fetch(fresh, "/rss/latest.rss")[2]
    assert body.count(b"&nbsp;") == 1
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def test_429_then_normal(fresh: LoopbackSite) -> None:
    fresh.set_path_fault("/rss/latest.rss", "429", 7, times=2)
    for _ in range(2):
        status, headers, _ = fetch(fresh, "/rss/latest.rss")
        assert status == 429 and headers["Retry-After"] == "7"
    assert fetch(fresh, "/rss/latest.rss")[0] == 200


def test_monthly_sitemaps_as_gzip_files(fresh: LoopbackSite) -> None:
    plain = {path: fetch(fresh, path)[2] for path, _ in fresh.monthly_sitemaps()}
    fresh.set_gzip_monthly(True)
    listed = sitemap_entries(fresh, "/sitemap/sitemap-index.xml")
    assert sorted(listed) == sorted(f"{fresh.base_url}{path}.gz" for path in plain)
    for path, body in plain.items():
        status, headers, packed = fetch(fresh, path + ".gz")
        assert status == 200 and headers["Content-Type"] == "application/x-gzip" and headers["Content-Encoding"] is None
        assert _gzip.decompress(packed) == body


def test_canonical_of_another_article(fresh: LoopbackSite) -> None:
    records = fresh.articles
    fresh.set_fault(records[3].article_id, "canonical-other")
    page = Selector(text=fetch(fresh, records[3].path)[2].decode())
    assert page.css("link[rel=canonical]::attr(href)").get() == records[4].url
    assert page.css("h1::text").get() == records[3].headline


@pytest.mark.parametrize("kind", ["timeout", "reset"])
def test_robots_txt_that_times_out_or_resets(fresh: LoopbackSite, kind: str) -> None:
    fresh.set_path_fault("/robots.txt", kind)
    connection = http.client.HTTPConnection("127.0.0.1", fresh.port, timeout=fresh.slow_seconds / 3)
    error = TimeoutError if kind == "timeout" else ConnectionResetError
    with pytest.raises(error):
        connection.request("GET", "/robots.txt")
        connection.getresponse()
    connection.close()


def test_a_busy_port_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tests.loopback", "--port", str(port), "--articles", "5"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: port {port} on 127.0.0.1 is busy; choose another with --port (0: any free one)"]
