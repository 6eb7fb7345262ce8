"""The normalisers shared by the rules and the pipelines: dates, ids, URLs, numbers, text."""

from __future__ import annotations

import pytest

from urllib.parse import urljoin

from crawler.extraction.normalize import (
    absolute_url,
    article_id,
    clean_text,
    date_after_label,
    date_of_article_id,
    iso_ist,
    normalize_date,
    parse_date,
    parse_number,
    read_time_minutes,
    split_list,
    strip_amp,
)
from crawler.extraction.text import DATE_LABELS


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Feb 28 2024 | 3:42 PM IST", "2024-02-28T15:42:00+05:30"),
        ("Mar 05 2024 | 12:05 AM IST", "2024-03-05T00:05:00+05:30"),
        ("January 18, 2019 17:18 IST", "2019-01-18T17:18:00+05:30"),
        ("Fri, January 18 2019. 13:00 IST", "2019-01-18T13:00:00+05:30"),
        ("Sun, 27 Jun 2021 14:44:03 +0530", "2021-06-27T14:44:03+05:30"),
        ("2019-01-18T13:00:00+05:30", "2019-01-18T13:00:00+05:30"),
        ("2024-02-28T10:12:00Z", "2024-02-28T15:42:00+05:30"),
        ("2024-02-28", "2024-02-28T00:00:00+05:30"),
        (1709115120, "2024-02-28T15:42:00+05:30"),
        ("1709115120000", "2024-02-28T15:42:00+05:30"),
        ("First Published: Feb 28 2024 | 3:42 PM IST", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_dates_become_iso_with_the_ist_offset(raw: str | int, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # A 12-hour clock is never read as a 24-hour one (email.utils drops the PM).
        ("Feb 28 2024 3:42 PM IST", "2024-02-28T15:42:00+05:30"),
        ("28 Feb 2024 03:42 PM", "2024-02-28T15:42:00+05:30"),
        ("28 Feb 2024 | 3:42 PM IST", "2024-02-28T15:42:00+05:30"),
        ("Feb 28 2024 3:42 pm", "2024-02-28T15:42:00+05:30"),
        ("Feb 28 2024 3:42 p.m. IST", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 03:42 PM +0530", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 11:42 AM", "2024-02-28T11:42:00+05:30"),
        ("Feb 28 2024 12:05 AM IST", "2024-02-28T00:05:00+05:30"),
        # Other separators, AP style's "Sept", and the Hindi 2020 pages' date alone (midnight IST).
        ("Feb 28, 2024 | 3:42 PM IST", "2024-02-28T15:42:00+05:30"),
        ("Sept 28 2024 | 3:42 PM IST", "2024-09-28T15:42:00+05:30"),
        ("Sept. 28, 2024", "2024-09-28T00:00:00+05:30"),
        ("February  14, 2020", "2020-02-14T00:00:00+05:30"),
        ("February 14, 2020", "2020-02-14T00:00:00+05:30"),
        ("14 February 2020", "2020-02-14T00:00:00+05:30"),
        # ISO 8601 whose zone is the word IST.
        ("2024-02-28T15:42:00 IST", "2024-02-28T15:42:00+05:30"),
        ("2024-02-28 15:42 IST", "2024-02-28T15:42:00+05:30"),
        # Read by email.utils as before (no AM/PM).
        ("Wed, 28 Feb 2024 15:42:00 IST", "2024-02-28T15:42:00+05:30"),
        ("Wednesday, February 28, 2024, 15:42 IST", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_display_dates_in_other_forms_keep_their_wall_time(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize("raw", ["Feb 30, 2024 | 3:42 PM IST", "Feb 28 2024 13:42 AM", "Feb 28 2024 0:42 PM", "September 31, 2024", "Septe 28 2024"])
def test_impossible_display_dates_are_none(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize("raw", ["", None, "yesterday", "Feb 30 2024 | 3:42 PM IST", "31/31/2024", "0000-00-00", "1850-01-01"])
def test_unreadable_dates_are_none(raw: str | None) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-28T15:42:00+05:30",  # the site's own form, kept as it is
        "2024-02-30T15:42:00+05:30",  # no such day
        "2023-02-29T15:42:00+05:30",
        "2024-02-28T24:00:00+05:30",
        "2024-02-28T15:60:00+05:30",
        "1989-12-31T23:59:59+05:30",  # out of range
        "2101-01-01T00:00:00+05:30",
        "2024-02-28T15:42:00.500+05:30",
        " 2024-02-28T15:42:00+05:30 ",
        "2024-02-28T15:42:00+0530",
        "２０２４-02-28T15:42:00+05:30",  # not ASCII digits
    ],
)
def test_iso_dates_in_the_site_form_read_as_the_long_way_reads_them(raw: str) -> None:
    assert normalize_date(raw) == iso_ist(parse_date(raw))


@pytest.mark.parametrize(
    ("href", "base"),
    [
        ("/india-news/x-124022800873_1.html", "https://www.business-standard.com/markets/y-124022800001_1.html"),
        ("/a/../b/./c?q=1#top", "https://www.business-standard.com/x/y?z=2"),
        ("/", "http://127.0.0.1:8080/amp/x"),
        ("/topic/rbi", "https://user:pw@www.business-standard.com:8443"),
        ("/topic/rbi", "https://www.business-standard.com?from=feed"),
        ("/topic/rbi", "https://www.business-standard.com#top"),
        ("//cdn.example/x.jpg", "https://www.business-standard.com/a/b"),
        ("rel/path", "https://www.business-standard.com/a/b"),
        ("https://www.business-standard.com/a", "http://127.0.0.1:1/b"),
        ("http:/a", "https://www.business-standard.com/b/c"),
        ("/\n\t/", "https://www.business-standard.com/a/b"),
        ("/\t\t/cdn.example/x.jpg", "https://www.business-standard.com/a/b"),
        # Absolute links of the page's own scheme: most come back as they are, the rest as urljoin gives them.
        ("https://www.business-standard.com/a/b-124022800873_1.html", "https://www.business-standard.com/x"),
        ("https://WWW.Business-Standard.com:443//a/../b/./c", "https://www.business-standard.com/x"),
        ("https://bsmedia.business-standard.com/img.jpg?width=640", "https://www.business-standard.com/x"),
        ("https://www.business-standard.com/a?", "https://www.business-standard.com/x"),
        ("https://www.business-standard.com/a#", "https://www.business-standard.com/x"),
        ("https://www.business-standard.com/a;", "https://www.business-standard.com/x"),
        ("https://www.business-standard.com/a;p=1", "https://www.business-standard.com/x"),
        ("https://www.business-\nstandard.com/a\tb\rc", "https://www.business-standard.com/x"),
        ("https://www.business-standard.com/a b%20c", "https://www.business-standard.com/x"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/"),
        ("http://user@host:99/a/", "http://x/"),
        # A tab or line break, which urlsplit() removes, where the host starts may leave none.
        ("https://\t/a", "https://www.business-standard.com/x"),
        ("https://\n\r//b", "https://www.business-standard.com/x"),
        ("https://\t#top", "https://www.business-standard.com/x"),
    ],
)
def test_links_resolve_as_urljoin_resolves_them(href: str, base: str) -> None:
    # (A space inside a link is sent as "%20", as a browser sends it: urljoin keeps it.)
    assert absolute_url(href, base) == urljoin(base, href.replace(" ", "%20"))


@pytest.mark.parametrize(
    "href", ["https://[::1/a", "https://::1]/a", "https://www.business-standard.com\uff03x/a", "https://bad[host]/a"]
)
def test_links_urljoin_refuses_are_refused_as_it_refuses_them(href: str) -> None:
    # A host urlsplit() cannot read raises here as in urljoin() (whose checks grew with Python 3.11:
    # "bad[host]" passes on 3.10); the caller then leaves the link out.
    base = "https://www.business-standard.com/x"
    try:
        joined: str | None = urljoin(base, href)
    except ValueError:
        joined = None
    if joined is None:
        with pytest.raises(ValueError):
            absolute_url(href, base)
    else:
        assert absolute_url(href, base) == joined


def test_normalising_twice_changes_nothing() -> None:
    once = normalize_date("Feb 28 2024 | 3:42 PM IST")
    assert normalize_date(once) == once


def test_display_date_keeps_the_text_without_its_label() -> None:
    assert date_after_label("Last Updated : Feb 28 2024 | 3:42 PM IST", "Last Updated", DATE_LABELS) == "Feb 28 2024 | 3:42 PM IST"
    shown = date_after_label("  First Published:\n Fri, January 18 2019. 13:00 IST ", "First Published", DATE_LABELS)
    assert shown == "Fri, January 18 2019. 13:00 IST"


@pytest.mark.parametrize(
    ("url", "identifier"),
    [
        ("https://www.business-standard.com/india-news/some-slug-124022800873_1.html", "124022800873"),
        ("https://www.business-standard.com/a/a-124070800259_1.html", "124070800259"),
        ("https://www.business-standard.com/amp/india-news/x-124022800873_1.html", "124022800873"),
        ("https://www.business-standard.com/article/companies/x-119011800410_1.html?utm=1", "119011800410"),
        ("https://www.business-standard.com/india-news/x-124023000873_1.html", None),  # Feb 30
        ("https://www.business-standard.com/latest-news", None),
        ("https://www.business-standard.com/x-224022800873_1.html", None),
    ],
)
def test_article_id_is_the_twelve_digits_with_a_real_day(url: str, identifier: str | None) -> None:
    assert article_id(url) == identifier


def test_article_id_encodes_the_publication_day() -> None:
    day = date_of_article_id("124022800873")
    assert day is not None and day.isoformat() == "2024-02-28"


def test_amp_urls_map_to_canonical() -> None:
    assert strip_amp("https://www.business-standard.com/amp/india-news/x-124022800873_1.html") == (
        "https://www.business-standard.com/india-news/x-124022800873_1.html"
    )
    assert strip_amp("https://wap.business-standard.com/article-amp/companies/x-119011800410_1.html") == (
        "https://www.business-standard.com/article/companies/x-119011800410_1.html"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.business-standard.com/india-news/x-124022800873_1.html", None),
        ("https://www.business-standard.com/india-news/x-124022800873_1.html#top", "https://www.business-standard.com/india-news/x-124022800873_1.html"),
        ("https://www.business-standard.com/a?", "https://www.business-standard.com/a"),
        ("https://www.business-standard.com/a?b=1#", "https://www.business-standard.com/a?b=1"),
        ("https://www.business-standard.com/a\n/b", "https://www.business-standard.com/a/b"),
        ("HTTPS://www.business-standard.com/amp/a", "https://www.business-standard.com/a"),
        ("https:www.business-standard.com/a", "https:///www.business-standard.com/a"),
        ("https://wap.business-standard.com/a", "https://www.business-standard.com/a"),
        ("https://www.business-standard.com/amp", None),
        ("https://www.business-standard.com/news/amp/a", None),
        ("http://127.0.0.1:8080/amp/a;b", "http://127.0.0.1:8080/a;b"),
        ("//www.business-standard.com/amp/a", "//www.business-standard.com/a"),
    ],
)
def test_urls_without_an_amp_form_come_back_as_they_are_less_the_fragment(url: str, expected: str | None) -> None:
    # (None: the URL itself.) What urlsplit() and urlunsplit() do to a URL, strip_amp() does too.
    assert strip_amp(url) == (url if expected is None else expected)


def test_small_parsers() -> None:
    assert read_time_minutes("2 min read Last Updated : Feb 28") == 2
    assert read_time_minutes("Listen to This Article") is None
    assert parse_number("73,095.22") == 73095.22
    assert parse_number("\u2212790.34") == -790.34
    assert parse_number("(-1.07%)") == -1.07
    assert parse_number("   ") is None
    assert clean_text(" a\u00a0 &amp;\n b ") == "a & b"
    assert split_list("defence sector, security,,Khalistan movement,security") == ["defence sector", "security", "Khalistan movement"]
