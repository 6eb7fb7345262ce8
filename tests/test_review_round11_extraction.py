"""Second look at the Hindi dates and the generic layout's new fallbacks (a body from the paragraphs
after the headline, microdata dates, OpenGraph authors): inputs of real pages they read wrongly."""

from __future__ import annotations

import pytest

from crawler.extraction.normalize import normalize_date

URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
HEAD = '<meta property="og:type" content="article"><meta property="og:title" content="Rupee ends at record low">'
PUBLISHED = '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
P1 = "The rupee closed at a record low on Tuesday as importers rushed to buy dollars amid heavy outflows."
P2 = "Traders said the central bank sold dollars to slow the fall, but the pressure remained intense."
P3 = "Analysts expect further weakness in the coming weeks as the dollar index stays firm globally."
LONG = (
    "This is a long block of text that is not part of the story at all, though it is longer than the story's"
    " own paragraphs, as a page's comments, its cookie notice or its footer often are on a short story."
)


def _page(head: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Rupee</title>{head}</head><body>{body}</body></html>'


# --- Hindi dates: a time whose half of the day is not known is no instant -----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "शाम" (evening) and "रात" (night) after the time: 17:30 and 21:42, never 05:30 and 09:42.
        ("14 फरवरी 2020, 5:30 शाम", None),
        ("14 फरवरी 2020 9:42 रात", None),
        # "बजे" (o'clock) after an hour either half of the day has: the evening's as often as the morning's.
        ("14 फरवरी 2020 9:42 बजे", None),
        ("14 फरवरी 2020 12:30 बजे", None),
        # An hour only a 24-hour clock shows is one instant.
        ("14 फरवरी 2020 21:42 बजे", "2020-02-14T21:42:00+05:30"),
        ("14 फरवरी 2020 00:30 बजे", "2020-02-14T00:30:00+05:30"),
    ],
)
def test_a_hindi_time_of_an_unknown_half_of_the_day_is_not_read_at_a_wrong_hour(text: str, expected: str | None) -> None:
    assert normalize_date(text) == expected
