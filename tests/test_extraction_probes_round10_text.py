"""Round 10 probes of the shared extraction helpers: dates in every form a page, its JSON, its meta
tags or a feed writes; links that are no web page's address; text and paragraphs as a reader of the
page sees them."""

from __future__ import annotations

import json

import pytest

from crawler.extraction.normalize import absolute_url, normalize_date
from crawler.extraction.page import Page
from crawler.extraction.text import block_paragraphs, fragment, text_paragraphs

FEB_28 = "2024-02-28T15:42:00+05:30"
FEB_28_MIDNIGHT = "2024-02-28T00:00:00+05:30"
BASE = "https://www.business-standard.com/markets/news/sensex-ends-higher-124022800123_1.html"


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # The labels pages (the AMP copy, agency lines, the Hindi edition's English strip) write
        # before the date besides "First Published" and "Last Updated".
        ("Updated: Feb 28 2024 | 3:42 PM IST", FEB_28),
        ("Updated On: Feb 28 2024 | 3:42 PM IST", FEB_28),
        ("Updated on : 28 Feb 2024, 3:42 pm IST", FEB_28),
        ("Updated - Feb 28 2024 | 3:42 PM IST", FEB_28),
        ("Published: February 28, 2024 15:42 IST", FEB_28),
        ("Published on: Feb 28 2024", FEB_28_MIDNIGHT),
        ("Posted on Feb 28 2024 | 3:42 PM IST", FEB_28),
        ("Updated: 28-02-2024 15:42 IST", FEB_28),
        ("Updated At: Feb 28 2024", FEB_28_MIDNIGHT),
        # The zone in brackets, and the Hindi edition's labels.
        ("Feb 28, 2024 | 03:42 PM (IST)", FEB_28),
        ("अपडेटेड: 28 फ़रवरी 2024, 15:42 IST", FEB_28),
        ("प्रकाशित: 28 फरवरी 2024 03:42 PM", FEB_28),
        ("अंतिम अपडेट : २८ फरवरी २०२४, 15:42 IST", FEB_28),
    ],
)
def test_a_date_after_any_label_a_page_writes_is_read(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # Indian pages and feeds write all-number dates day first, with dashes, slashes or dots.
        ("28-02-2024 15:42:00", FEB_28),
        ("28-02-2024 15:42", FEB_28),
        ("28-02-2024 03:42 PM", FEB_28),
        ("28-02-2024", FEB_28_MIDNIGHT),
        ("28/02/2024 15:42", FEB_28),
        ("28/02/2024", FEB_28_MIDNIGHT),
        ("28.02.2024", FEB_28_MIDNIGHT),
        ("02-03-2024", "2024-03-02T00:00:00+05:30"),  # day first: 2 March, not February 3
        # The year first with slashes.
        ("2024/02/28", FEB_28_MIDNIGHT),
        ("2024/02/28 15:42", FEB_28),
        ("2024/02/28 15:42:00", FEB_28),
        # Month first only where it cannot be the day (no 28th month).
        ("02/28/2024", FEB_28_MIDNIGHT),
        # A month's name between dashes, an ordinal day, a weekday written in full.
        ("28-Feb-2024 15:42", FEB_28),
        ("28-Feb-2024", FEB_28_MIDNIGHT),
        ("28th February 2024", FEB_28_MIDNIGHT),
        ("February 28th, 2024 15:42 IST", FEB_28),
        ("Wednesday, February 28, 2024", FEB_28_MIDNIGHT),
        ("Wednesday, 28 February 2024, 3:42 PM IST", FEB_28),
        ("Wed, 28-02-2024 15:42", FEB_28),
        # "at" between the day and the time; an ISO day with a 12-hour clock.
        ("Feb 28 2024 at 3:42 PM", FEB_28),
        ("February 28, 2024 at 3:42 pm IST", FEB_28),
        ("2024-02-28 3:42 PM", FEB_28),
        ("2024-02-28 03:42:00 PM", FEB_28),
    ],
)
def test_numeric_and_spelled_out_dates_are_read(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-28 10:12:00 UTC",
        "2024-02-28T10:12:00 UTC",
        "2024-02-28 15:42:00 GMT+05:30",
        "2024-02-28 04:42:00 GMT-05:30",
        "Feb 28 2024 | 10:12 AM GMT",
        "Feb 28 2024 | 10:12 AM (UTC)",
        "2024-02-28T10:12:00+00:00Z",
    ],
)
def test_a_zone_named_after_the_time_gives_the_instant_not_ist_wall_time(raw: str) -> None:
    assert normalize_date(raw) == FEB_28


@pytest.mark.parametrize(
    "raw",
    ["31-02-2024", "31/02/2024 10:00", "2024/13/01", "13/13/2024", "00-02-2024", "28-02-3024", "28-02-1900", "32nd February 2024"],
)
def test_impossible_or_far_numeric_dates_give_no_date(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize("raw", ["1709115120.5", "1709115120000.0", " 1709115120.25 "])
def test_unix_seconds_with_a_fraction_written_as_text_are_read(raw: str) -> None:
    assert normalize_date(raw) == FEB_28


# --- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "JavaScript:void(0)",
        " JAVASCRIPT:void(0)",
        "java\nscript:alert(1)",
        "java\tscript:void(0)",
        "MAILTO:editor@business-standard.com",
        "Mailto:editor@business-standard.com",
        "tel:+911234567890",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "whatsapp://send?text=Sensex",
        "sms:?body=Sensex",
        "about:blank",
        "vbscript:msgbox",
        "ftp://ftp.example.com/file",
        "intent://scan/#Intent;scheme=zxing;end",
        "&#35;top",
    ],
)
def test_a_link_that_is_no_web_page_gives_no_url(href: str) -> None:
    assert absolute_url(href, BASE) is None


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("HTTPS://www.business-standard.com/markets", "https://www.business-standard.com/markets"),
        ("//www.business-standard.com/markets", "https://www.business-standard.com/markets"),
        # An href from JSON still escaped for HTML: read as the page's own links are.
        ("/search?q=sensex&amp;type=news", "https://www.business-standard.com/search?q=sensex&type=news"),
        ("https://www.business-standard.com/search?q=a&amp;page=2", "https://www.business-standard.com/search?q=a&page=2"),
        # Only with its semicolon is it an entity: "&copy=1" is a field of the query.
        ("/search?q=a&copy=1", "https://www.business-standard.com/search?q=a&copy=1"),
        # A space inside a link is sent as a browser sends it.
        ("/topic/tata motors", "https://www.business-standard.com/topic/tata%20motors"),
        (" https://www.business-standard.com/search?q=tata motors ", "https://www.business-standard.com/search?q=tata%20motors"),
        ("//www.business-standard.com/topic/tata motors", "https://www.business-standard.com/topic/tata%20motors"),
    ],
)
def test_links_with_odd_spelling_resolve_to_the_page_they_name(href: str, url: str) -> None:
    assert absolute_url(href, BASE) == url


# --- paragraphs from markup -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "paragraphs"),
    [
        # Preformatted text shows its line breaks: each line is a line the reader sees.
        ("<pre>Sensex  73,158\nNifty   22,217\n\nBank Nifty 46,588</pre>", ["Sensex 73,158", "Nifty 22,217", "Bank Nifty 46,588"]),
        ("<p>Closing levels:</p><pre>Sensex 73,158\r\nNifty 22,217</pre><p>Both rose.</p>", ["Closing levels:", "Sensex 73,158", "Nifty 22,217", "Both rose."]),
        ("<pre><b>Sensex</b> 73,158\n<i>Nifty</i> 22,217</pre>", ["Sensex 73,158", "Nifty 22,217"]),
        # Outside <pre> a line break in the source is white space, as before.
        ("<p>Sensex 73,158\nNifty 22,217</p>", ["Sensex 73,158 Nifty 22,217"]),
    ],
)
def test_preformatted_text_keeps_its_lines(markup: str, paragraphs: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == paragraphs


@pytest.mark.parametrize(
    ("markup", "paragraphs"),
    [
        ("<p>He called it <q>a turning point</q> for exports.</p>", ["He called it \u201ca turning point\u201d for exports."]),
        ("<p><q>We will <b>not</b> cut rates</q>, the governor said.</p>", ["\u201cWe will not cut rates\u201d, the governor said."]),
    ],
)
def test_an_inline_quotation_shows_its_quotation_marks(markup: str, paragraphs: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == paragraphs


# --- structured data -----------------------------------------------------------------------------


@pytest.mark.parametrize("written", [" NewsArticle", "NewsArticle ", "\nNewsArticle\n", ["WebPage", " NewsArticle "], " https://schema.org/NewsArticle"])
def test_a_json_ld_type_with_white_space_around_it_is_still_the_type(written: object) -> None:
    url = "https://www.business-standard.com/markets/news/sensex-ends-higher-124022800123_1.html"
    block = json.dumps({"@context": "https://schema.org", "@type": written, "headline": "Sensex ends higher"})
    page = Page(f'<html><head><script type="application/ld+json">{block}</script></head><body></body></html>'.encode(), url)
    assert page.ld_article.get("headline") == "Sensex ends higher"


@pytest.mark.parametrize("separator", ["\r", "\r\n", "\n\n", "\u2029", "\u2028", "\x85", "\x0b", "\r\r"])
def test_plain_text_body_lines_split_at_every_line_break(separator: str) -> None:
    body = separator.join(["Sensex ended 0.5% higher.", "Nifty rose 0.4%.", "Bank stocks led."])
    assert text_paragraphs(body) == ["Sensex ended 0.5% higher.", "Nifty rose 0.4%.", "Bank stocks led."]
