"""Discovery parsing at its edges: each limit and rule of the feed, sitemap and listing readers pinned by an exact value."""

from __future__ import annotations

import gzip

import pytest

from crawler.extraction.discovery import TOO_LARGE, BrokenDocument, monthly_sitemap_month, parse_rss, parse_sitemap, unpack


def test_a_gzip_body_of_exactly_the_limit_is_unpacked_one_byte_more_is_refused() -> None:
    content = b"x" * 4096
    assert unpack(gzip.compress(content), max_size=4096) == content
    with pytest.raises(BrokenDocument) as refused:
        unpack(gzip.compress(content + b"x"), max_size=4096)
    assert refused.value.reason == TOO_LARGE


SITE = "https://www.business-standard.com"
ARTICLE = SITE + "/markets/news/x-124022800873_1.html"


def test_a_sitemap_leaves_out_locations_no_crawler_can_fetch() -> None:
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>ftp://www.business-standard.com/markets/news/y-124022800874_1.html</loc></url>
      <url><loc>http:///markets/news/z-124022800875_1.html</loc></url>
      <url><loc>{ARTICLE}</loc></url></urlset>""".encode()
    sitemap = parse_sitemap(body, SITE)
    assert [e.url for e in sitemap.entries] == [ARTICLE]
    assert sitemap.unusable_urls == 2


def test_a_location_wrapped_in_an_element_is_read_whole() -> None:
    # Text split by a child element (a generator that marks up its URLs) is the element's whole text.
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:x="urn:x">
      <url><loc><x:a>{ARTICLE}</x:a></loc></url></urlset>""".encode()
    assert [e.url for e in parse_sitemap(body, SITE).entries] == [ARTICLE]


def test_an_atom_link_without_href_falls_back_to_the_entrys_web_id() -> None:
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate"/><id>{ARTICLE}</id>
      <updated>2024-02-28T15:42:00+05:30</updated></entry></feed>""".encode()
    feed = parse_rss(body, SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.unusable_urls == 0


def test_a_sitemap_counts_each_unreadable_date_and_only_those() -> None:
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>{ARTICLE}?a</loc><lastmod>someday</lastmod></url>
      <url><loc>{ARTICLE}?b</loc><news:news><news:publication_date>soon</news:publication_date></news:news></url>
      <url><loc>{ARTICLE}?c</loc><lastmod>2024-02-29T10:00:00+05:30</lastmod>
        <news:news><news:publication_date>2024-02-28T15:42:00+05:30</news:publication_date></news:news></url>
      <url><loc>{ARTICLE}?d</loc><lastmod>2024-03-01</lastmod>
        <news:news><news:publication_date>2024-02-28</news:publication_date></news:news></url>
      <url><loc>{ARTICLE}?e</loc></url></urlset>""".encode()
    sitemap = parse_sitemap(body, SITE)
    assert sitemap.unreadable_dates == 2
    assert [(e.lastmod is None, e.published is None) for e in sitemap.entries] == [(True, True), (True, True), (False, False), (False, False), (True, True)]


def test_an_atom_entry_with_neither_link_nor_id_is_unusable_not_an_error() -> None:
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>no address</title></entry>
      <entry><id>tag:business-standard.com,2024:1</id></entry>
      <entry><link href="{ARTICLE}"/></entry></feed>""".encode()
    feed = parse_rss(body, SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.unusable_urls == 2


def test_an_atom_feed_counts_each_unreadable_date_and_dates_entries_by_the_readable_ones() -> None:
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><link href="{ARTICLE}?1"/><updated>2024-02-29T10:00:00+05:30</updated></entry>
      <entry><link href="{ARTICLE}?2"/><published>someday</published><updated>2024-02-29T10:00:00+05:30</updated></entry>
      <entry><link href="{ARTICLE}?3"/><published>2024-02-28T15:42:00+05:30</published><updated>later</updated></entry>
      <entry><link href="{ARTICLE}?4"/><issued>2024-02-27T09:00:00+05:30</issued><modified>2024-02-27T11:00:00+05:30</modified></entry>
      <entry><link href="{ARTICLE}?5"/><published>2024-02-26T08:00:00+05:30</published></entry>
      <entry><link href="{ARTICLE}?6"/><updated>2024-02-25T08:00:00+05:30</updated></entry>
      <entry><link href="{ARTICLE}?7"/><published>2024-02-24T08:00:00+05:30</published></entry>
    </feed>""".encode()
    feed = parse_rss(body, SITE)
    assert feed.unreadable_dates == 2
    dated = [(e.lastmod and e.lastmod.isoformat(), e.published and e.published.isoformat()) for e in feed.entries]
    assert dated == [
        ("2024-02-29T10:00:00+05:30", None),
        ("2024-02-29T10:00:00+05:30", None),
        ("2024-02-28T15:42:00+05:30", "2024-02-28T15:42:00+05:30"),
        ("2024-02-27T11:00:00+05:30", "2024-02-27T09:00:00+05:30"),
        ("2024-02-26T08:00:00+05:30", "2024-02-26T08:00:00+05:30"),
        ("2024-02-25T08:00:00+05:30", None),
        ("2024-02-24T08:00:00+05:30", "2024-02-24T08:00:00+05:30"),
    ]


@pytest.mark.parametrize(
    ("url", "month"),
    [
        ("https://www.business-standard.com/sitemap/2024-February-1.xml?v=17", (2024, 2)),
        ("https://www.business-standard.com/sitemap/2023-december-12.xml.gz", (2023, 12)),
        ("https://www.business-standard.com/sitemap/2024-smarch-1.xml", None),
        ("https://www.business-standard.com/sitemap/2024-may-1.xml.bak", None),
        ("https://www.business-standard.com/sitemap/sitemap-index.xml", None),
    ],
)
def test_monthly_sitemap_month_needs_a_real_month_name(url: str, month: tuple[int, int] | None) -> None:
    assert monthly_sitemap_month(url) == month
