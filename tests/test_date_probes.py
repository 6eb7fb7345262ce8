"""Dates in the forms feeds, sitemaps, JSON-LD and pages write beyond the site's own: the instant a
reader needs, or no date where the instant cannot be known (never a wrong one)."""

from __future__ import annotations

import pytest

from crawler.extraction.normalize import normalize_date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # "-0000": the time is UTC, only the sender's own zone is unknown (RFC 2822 3.3). Not IST.
        ("Wed, 28 Feb 2024 10:12:00 -0000", "2024-02-28T15:42:00+05:30"),
        # Offsets email.utils misreads: with a colon (no zone to it, so IST), in hours (as minutes).
        ("Wed, 28 Feb 2024 10:12:00 +00:00", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 +05", "2024-02-28T16:12:00+05:30"),
        # JavaScript's Date.toString(), which a Node front end may write into a page.
        ("Wed Feb 28 2024 10:12:00 GMT+0000 (Coordinated Universal Time)", "2024-02-28T15:42:00+05:30"),
        ("Wed Feb 28 2024 11:12:00 GMT+0100 (Central European Standard Time)", "2024-02-28T15:42:00+05:30"),
        # A 12-hour clock with seconds.
        ("Wed, 28 Feb 2024 03:42:00 PM +0530", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_rfc_822_dates_give_their_instant(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Wed, 28 Feb 2024 15:42:00 IST", "2024-02-28T15:42:00+05:30"),
        ("Feb 28, 2024 15:42 hrs IST", "2024-02-28T15:42:00+05:30"),
        ("28 Feb 2024 15:42 hrs", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 05:12:00 EST", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 10:12:00 Z", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 +0530 (IST)", "2024-02-28T15:42:00+05:30"),
        ("Wed, 28 Feb 24 15:42:00 +0530", "2024-02-28T15:42:00+05:30"),
    ],
)
def test_rfc_822_zones_read_before_keep_their_reading(raw: str, iso: str) -> None:
    # The zone is read apart from email.utils now: the site's IST, "hrs", no zone and RFC 822's names.
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    "raw",
    [
        # Zones whose offset is not known: a name email.utils does not know, a military letter (RFC
        # 822 wrote their signs backwards; RFC 2822 4.3 makes them unknown). IST would be a guess.
        "Wed, 28 Feb 2024 15:42:00 CET",
        "Wed, 28 Feb 2024 15:42:00 XYZ",
        "Wed, 28 Feb 2024 10:12:00 A",
        # The least date of .NET and Java, written for "never": not 2001.
        "Mon, 01 Jan 0001 00:00:00 GMT",
    ],
)
def test_rfc_822_dates_whose_instant_is_unknown_are_none(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize("raw", ["2024-02-28t10:12:00z", "2024-02-28T10:12:00z", "2024-02-28T10:12:00.123z"])
def test_iso_8601_with_a_lower_case_zulu_is_utc(raw: str) -> None:
    # RFC 3339 5.6: "T" and "Z" may be written in lower case.
    assert normalize_date(raw) == "2024-02-28T15:42:00+05:30"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sep 12 2024 | 6:56PM IST", "2024-09-12T18:56:00+05:30"),
        ("12 Sep 2024, 06:56pm", "2024-09-12T18:56:00+05:30"),
        # AP style, which agency copy follows: months shortened with a full stop.
        ("Feb. 28, 2024", "2024-02-28T00:00:00+05:30"),
        ("Sep. 12, 2024 6:56 p.m. IST", "2024-09-12T18:56:00+05:30"),
        ("Aug. 5, 2024", "2024-08-05T00:00:00+05:30"),
    ],
)
def test_display_dates_in_agency_and_compact_forms_keep_their_wall_time(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso
