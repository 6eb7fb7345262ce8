"""Edges of the pure extraction code every article passes through: text cleaning, dates, ids, URLs,
decoding, lenient JSON, the JSON-LD article, paragraphs, promos and block pages. Each test pins one
behaviour a small slip in the code (a flipped comparison, a swapped ``and``) would change."""

from __future__ import annotations

import pytest

from crawler.extraction.normalize import absolute_url, clean_text, display_date_text, normalize_date, parse_change


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
def test_clean_text_drops_a_lone_joiner_kind_at_a_word_edge(joiner: str) -> None:
    # Text with only one of the two joiners, at the start and the end of words, loses them there.
    assert clean_text(f"{joiner}India{joiner} rises") == "India rises"
    assert clean_text(f"Sensex {joiner}falls") == "Sensex falls"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # The largest minutes an offset has, and the largest offset below a day.
        ("Wed, 28 Feb 2024 15:42:00 +0559", "2024-02-28T15:13:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 +2359", "2024-02-27T21:13:00+05:30"),
        # West of UTC by IST's own amount: not IST.
        ("Wed, 28 Feb 2024 15:42:00 -0530", "2024-02-29T02:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 GMT+0800", "2024-02-28T13:12:00+05:30"),
        # Offsets a date cannot have, and a zone name other than UTC's with an offset: no date.
        ("Wed, 28 Feb 2024 15:42:00 +0575", None),
        ("Wed, 28 Feb 2024 15:42:00 +0560", None),
        ("Wed, 28 Feb 2024 15:42:00 +2400", None),
        ("Wed, 28 Feb 2024 15:42:00 PST+0800", None),
    ],
)
def test_rfc822_offsets_at_their_limits(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("14 फ़रवरी, 2020", "2020-02-14T00:00:00+05:30"),
        ("१४ सितम्बर २०२०", "2020-09-14T00:00:00+05:30"),
        ("फरवरी 14, 2020 15:42", "2020-02-14T15:42:00+05:30"),
    ],
)
def test_hindi_month_names_and_devanagari_digits_are_read(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # A 12-hour clock's hours outside 1-12 in the current site's form: no date, not 01:42 or 13:42.
        ("Feb 28 2024 | 13:42 PM", None),
        ("Feb 28 2024 | 13:42 AM", None),
        ("Feb 28 2024 | 00:42 AM", None),
        ("Feb 28 2024 | 12:05 PM", "2024-02-28T12:05:00+05:30"),
        ("Feb 28 2024 | 1:05 PM", "2024-02-28T13:05:00+05:30"),
        # The first and the last year of the range dates are kept in.
        ("1990-06-01", "1990-06-01T00:00:00+05:30"),
        ("2100-06-01", "2100-06-01T00:00:00+05:30"),
    ],
)
def test_display_date_hours_and_years_at_their_limits(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize("raw", ["Foo 28 2024 | 3:42 PM IST", "Fri, Janvier 18 2019. 13:00 IST", "Janvier 18, 2019 17:18"])
def test_display_dates_with_an_unknown_month_are_none(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Last Updated: Feb 28 2024 | 3:42 PM IST", "Feb 28 2024 | 3:42 PM IST"),
        ("Last Updated at January 18, 2019 17:18 IST", "January 18, 2019 17:18 IST"),
        ("Last Updated at: January 18, 2019 17:18 IST", "January 18, 2019 17:18 IST"),
        ("2 min read Last Updated : Feb 28 2024", "Feb 28 2024"),
        # Only "Last Updated" has an "at" of its own.
        ("First Published at Feb 28", "at Feb 28"),
        # A label with nothing after it shows no date.
        ("Last Updated :", None),
        ("First Published", None),
    ],
)
def test_display_date_text_takes_the_label_and_only_the_label_away(raw: str, shown: str | None) -> None:
    assert display_date_text(raw) == shown


@pytest.mark.parametrize("href", ["#top", "javascript:void(0)", "mailto:editor@business-standard.com", "   ", "", None])
def test_absolute_url_refuses_anchors_scripts_mail_and_blanks(href: str | None) -> None:
    assert absolute_url(href, "https://www.business-standard.com/markets/news") is None


@pytest.mark.parametrize(
    ("text", "change"),
    [("▼ 254.86", -254.86), ("▲ 254.86", 254.86), ("+1.2%", 1.2), ("-0.45%", -0.45), ("▼ -0.45%", -0.45), ("", None)],
)
def test_parse_change_negates_only_a_rise_a_down_arrow_marks(text: str, change: float | None) -> None:
    assert parse_change(text) == change


def test_parse_change_of_an_unchanged_figure_is_no_negative_zero() -> None:
    # (-0.0 == 0.0, but a feed would write "-0.0")
    assert str(parse_change("▼ 0.00")) == "0.0"
