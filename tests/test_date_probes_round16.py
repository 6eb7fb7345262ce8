"""Dates as JSON-LD, sitemaps, feeds and HTTP headers write them, on every Python the crawler supports:
the instant a reader needs, or no date where the instant cannot be known (never a wrong one)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.extraction.discovery import parse_feed_or_sitemap, parse_sitemap
from crawler.extraction.normalize import iso_ist, normalize_date, parse_date
from crawler.incremental.store import SeenArticle
from crawler.spiders.discovery import copy_before, is_newer

NORMALIZE = Path(__file__).resolve().parent.parent / "crawler" / "extraction" / "normalize.py"

# ISO 8601 as the site's CMSs and sitemap generators write it, each the same instant, 15:42 IST.
ISO_FORMS = [
    # Fractions of a second of every length RFC 3339 allows (.NET writes 7 digits, Java trims its zeros).
    "2024-02-28T10:12:00.1Z",
    "2024-02-28T10:12:00.12Z",
    "2024-02-28T10:12:00.1234Z",
    "2024-02-28T10:12:00.12345Z",
    "2024-02-28T10:12:00.1234567Z",
    "2024-02-28T10:12:00.123456789Z",
    "2024-02-28T15:42:00.5+05:30",
    "2024-02-28T15:42:00,5+05:30",
    # PHP's DATE_ISO8601 ("Y-m-d\\TH:i:sO"): the offset without its colon.
    "2024-02-28T15:42:00+0530",
    "2024-02-28T15:42:00.000+0530",
    "2024-02-28T15:42+0530",
    "2024-02-28T04:42:00-0530",
    # ISO 8601's basic format, and a week date (Wednesday of week 9).
    "20240228T154200+0530",
    "20240228T101200Z",
]


def _python_3_10() -> str | None:
    """A Python 3.10 interpreter that runs: on the PATH, or one pyenv installed (whose shim runs only where selected)."""
    found = shutil.which("python3.10")
    candidates = [found] if found else []
    candidates += sorted(str(path) for path in Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))
    for candidate in candidates:
        try:
            subprocess.run([candidate, "-c", "pass"], capture_output=True, timeout=30, check=True)
        except (subprocess.SubprocessError, OSError):
            continue
        return candidate
    return None


def _read_with(python: str, forms: list[str]) -> list[str | None]:
    """``normalize_date`` of each form under another interpreter (normalize.py needs the standard library alone)."""
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('normalize', {str(NORMALIZE)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print(json.dumps([module.normalize_date(form) for form in json.loads(sys.stdin.read())]))\n"
    )
    done = subprocess.run([python, "-c", script], input=json.dumps(forms), capture_output=True, text=True, timeout=60, check=True)
    return list(json.loads(done.stdout))


def test_iso_8601_forms_are_read_on_this_python() -> None:
    assert [normalize_date(form) for form in ISO_FORMS] == ["2024-02-28T15:42:00+05:30"] * len(ISO_FORMS)
    assert normalize_date("2024-W09-3") == "2024-02-28T00:00:00+05:30"


def test_iso_8601_forms_are_read_on_python_3_10() -> None:
    # Python 3.10 (supported: pyproject's requires-python, README) reads in fromisoformat only what
    # isoformat() writes: a "+0530" offset, a fraction of 1, 2, 4, 5 or 7-9 digits, a comma, the basic
    # format and week dates gave no date there. Before: a sitemap so dated was undated (an update
    # never fetched), a JSON-LD date lost, a generic page's article dropped for want of one.
    if sys.version_info[:2] == (3, 10):
        pytest.skip("this is Python 3.10: the test above")
    python = _python_3_10()
    if python is None:
        pytest.skip("no Python 3.10 on this machine")
    read = _read_with(python, [*ISO_FORMS, "2024-W09-3"])
    assert read == ["2024-02-28T15:42:00+05:30"] * len(ISO_FORMS) + ["2024-02-28T00:00:00+05:30"]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # A leap second (RFC 3339 5.6 and RFC 2822 3.3 allow second 60): its minute, not no date.
        ("2016-12-31T23:59:60Z", "2017-01-01T05:29:59+05:30"),
        ("2016-12-31T23:59:60.5+00:00", "2017-01-01T05:29:59+05:30"),
        ("2017-01-01T05:29:60+05:30", "2017-01-01T05:29:59+05:30"),
        ("Sat, 31 Dec 2016 23:59:60 GMT", "2017-01-01T05:29:59+05:30"),
        # ISO 8601's end of the day: the next day's midnight.
        ("2024-02-28T24:00:00+05:30", "2024-02-29T00:00:00+05:30"),
        ("2024-02-28T24:00Z", "2024-02-29T05:30:00+05:30"),
        # An ordinal date (day 59 of 2024).
        ("2024-059", "2024-02-28T00:00:00+05:30"),
        ("2024-059T15:42:00+05:30", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_leap_seconds_end_of_day_and_ordinal_dates_give_their_instant(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-28T24:00:01+05:30",  # past the day's end
        "2024-02-28T23:60:00+05:30",
        "2023-366",  # 2023 has 365 days
        "2024-000",
        "2023-02-29T10:00:00+05:30",
        "9999-12-31T24:00:00Z",  # the next day is past what a date holds
        "2024-02-28T15:42:00+2400",
    ],
)
def test_impossible_iso_dates_are_none(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # An offset to the second (RFC 3339 has none, but generators write one): its instant.
        ("Wed, 28 Feb 2024 10:12:00 +00:00:00", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 04:42:00 -05:00:00", "2024-02-28T15:12:00+05:30"),
        ("Wed, 28 Feb 2024 04:42:00 GMT-05:30:00", "2024-02-28T15:42:00+05:30"),
        # What was read before stays read so: a zone name after the offset, a comment, a ctime year.
        ("Wed, 28 Feb 2024 10:12:00 +0000 UTC", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 +0530 (IST)", "2024-02-28T15:42:00+05:30"),
        ("Wed Feb 28 10:12:00 UTC 2024", "2024-02-28T15:42:00+05:30"),
        ("Wed Feb 28 15:42:00 2024", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 10:12:00 GMT.", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_rfc_822_offsets_to_the_second_give_their_instant(raw: str, iso: str) -> None:
    # Before: "+00:00:00" was read as no zone (IST), "GMT-05:30:00" as GMT: hours off.
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        # A zone written with digits that no rule here knows (POSIX TZ strings, a name run into a
        # number): its offset is not known, so no date, as for "CET" (before: read as IST, hours off).
        "Wed, 28 Feb 2024 10:12:00 EST5EDT",
        "Wed, 28 Feb 2024 10:12:00 CET1",
        "Wed, 28 Feb 2024 10:12:00 UTC1",
        "Wed, 28 Feb 2024 10:12:00 X1",
        "Wed, 28 Feb 2024 10:12:00 +05:30:99",
    ],
)
def test_rfc_822_zones_written_with_digits_no_rule_knows_give_no_date(raw: str) -> None:
    assert normalize_date(raw) is None


def test_sitemap_and_feed_dates_in_these_forms_are_read() -> None:
    sitemap = parse_sitemap(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://www.business-standard.com/a/b-124022800001_1.html</loc><lastmod>2024-02-28T15:42:00.1234567+05:30</lastmod></url>"
        b"<url><loc>https://www.business-standard.com/a/b-124022800002_1.html</loc><lastmod>2016-12-31T23:59:60Z</lastmod></url>"
        b"</urlset>",
        "https://www.business-standard.com/sitemap.xml",
    )
    assert [iso_ist(entry.lastmod) for entry in sitemap.entries] == ["2024-02-28T15:42:00+05:30", "2017-01-01T05:29:59+05:30"]
    assert sitemap.unreadable_dates == 0
    feed = parse_feed_or_sitemap(
        b'<?xml version="1.0"?><rss version="2.0"><channel>'
        b"<item><link>https://www.business-standard.com/a/b-124022800001_1.html</link><pubDate>Wed, 28 Feb 2024 10:12:00 +00:00:00</pubDate></item>"
        b"<item><link>https://www.business-standard.com/a/b-124022800002_1.html</link><pubDate>Wed, 28 Feb 2024 10:12:00 EST5EDT</pubDate></item>"
        b"</channel></rss>",
        "https://www.business-standard.com/rss/latest.rss",
    )
    assert [iso_ist(entry.lastmod) for entry in feed.entries] == ["2024-02-28T15:42:00+05:30", None]
    assert feed.unreadable_dates == 1


def _answer(last_modified: str) -> HtmlResponse:
    return HtmlResponse(
        "https://www.business-standard.com/a/b-124022800001_1.html", body=b"<html></html>", headers={"Last-Modified": last_modified}
    )


def test_an_asctime_last_modified_is_gmt_as_http_says() -> None:
    # RFC 9110 5.6.7: every HTTP-date is UTC, the asctime form too, which names no zone. Read as IST it
    # was 5.5 hours early: an answer made after the update it was fetched for was taken for an edge's
    # copy from before it, and its date left unstored (fetched again and again while the hour ran).
    now = datetime.now(timezone.utc).replace(microsecond=0)
    requested = iso_ist(now - timedelta(minutes=20))
    assert requested is not None
    page_modified = iso_ist(now - timedelta(hours=2))  # an unchanged story saved again
    after = now - timedelta(minutes=5)
    asctime = after.strftime("%a %b %d %H:%M:%S %Y").replace(" 0", "  ", 1) if after.day < 10 else after.strftime("%a %b %d %H:%M:%S %Y")
    for header in (asctime, format_datetime(after, usegmt=True), after.strftime("%A, %d-%b-%y %H:%M:%S GMT")):
        assert not copy_before(page_modified, _answer(header), requested, 3600), header
    # A header from before the update still tells the copy.
    before = now - timedelta(hours=1)
    assert copy_before(page_modified, _answer(before.strftime("%a %b %d %H:%M:%S %Y")), requested, 3600)


@pytest.mark.parametrize(
    "raw",
    [
        # "hrs" after a 24-hour time (Indian usage) was read only where the whole text was an RFC 822
        # date: a label, a bar or an all-number date before it, or "Hrs" in capitals, gave no date.
        "Feb 28 2024 | 15:42 hrs IST",
        "Updated: 28 Feb 2024, 15:42 hrs IST",
        "Feb 28, 2024 | 15:42 hrs",
        "28-02-2024 15:42 hrs",
        "28 Feb 2024 15:42 Hrs",
        "28 Feb 2024 15:42 HRS IST",
        # A time written with a full stop, as Indian English and the paper's style write it ("3.42 pm").
        "Feb 28 2024 3.42 pm IST",
        "28 Feb 2024, 3.42 PM",
        "February 28, 2024 at 3.42 p.m.",
        "Last Updated : Feb 28 2024 | 3.42 PM IST",
        "28 Feb 2024 15.42 hrs IST",
    ],
)
def test_display_dates_with_hrs_or_a_dotted_time_keep_their_wall_time(raw: str) -> None:
    assert normalize_date(raw) == "2024-02-28T15:42:00+05:30"


@pytest.mark.parametrize("raw", ["28.02.2024", "Feb 28 2024 | 13.42 PM IST", "Feb 28 2024 | 3.42"])
def test_dotted_numbers_that_are_no_time_of_a_twelve_hour_clock_stay_as_they_were(raw: str) -> None:
    # A day written with full stops is a day; an hour past 12 before PM is none; a dotted time with
    # neither AM/PM nor "hrs" is not taken for one.
    assert normalize_date(raw) == {"28.02.2024": "2024-02-28T00:00:00+05:30"}.get(raw)


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


def test_a_feed_date_to_the_second_is_no_update_of_a_page_dated_to_that_minute() -> None:
    # A story a `section` walk emitted (a listing gives no date: the page's dateModified is what is
    # stored, shown to the minute, 15:42) meets the feeds at the next `latest`, whose pubDate has the
    # second the story went out (the real 2021 feed: "14:44:03 +0530"). It was fetched again for it.
    limit = datetime.now(timezone.utc) + timedelta(minutes=10)
    seen = SeenArticle("124022800001", 1, "hash", "2024-02-28T15:42:00+05:30", None)
    stats = _Stats()
    for same_minute in ("2024-02-28T15:42:31+05:30", "2024-02-28T10:12:59Z", "2024-02-28T15:42:00.5+05:30"):
        moment = parse_date(same_minute)
        assert moment is not None
        assert not is_newer(moment, seen, limit, stats, publication=True), same_minute
    # A later minute is an update, in any zone; so is any later second of a page dated to the second.
    assert is_newer(datetime(2024, 2, 28, 10, 13, tzinfo=timezone.utc), seen, limit, stats)
    to_the_second = SeenArticle("124022800001", 1, "hash", "2024-02-28T15:42:17+05:30", None)
    assert is_newer(datetime(2024, 2, 28, 10, 12, 31, tzinfo=timezone.utc), to_the_second, limit, stats)
    assert not is_newer(datetime(2024, 2, 28, 10, 12, 17, tzinfo=timezone.utc), to_the_second, limit, stats)
    assert stats.values == {}


@pytest.mark.parametrize("raw", ["Wed, 28 Feb 2024 10:12:00 GMT+1.5", "Wed, 28 Feb 2024 10:12:00 UTC+05:30:00:00", "Wed, 28 Feb 2024 10:12:00 +05.30"])
def test_rfc_822_offsets_no_rule_reads_give_no_date(raw: str) -> None:
    # Before: read as IST (the word after the time taken for no zone) or as the offset's hours alone.
    assert normalize_date(raw) is None
