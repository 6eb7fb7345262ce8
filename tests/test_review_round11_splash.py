"""Probes of rendering through Splash and of the market numbers, after the round of fixes to both: a
dash between two figures, a crawl from the cache of a site that sets cookies, credentials in SPLASH_URL."""

from __future__ import annotations

import pytest

from crawler.extraction.normalize import parse_changes
from tests.test_splash_probes_round11 import market_of

# --- a dash between two figures is no minus --------------------------------------------------------


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2212"])
def test_a_dash_between_the_change_and_the_per_cent_is_no_sign_of_the_per_cent(dash: str) -> None:
    # "254.86 - 0.35%": a change cell holding both, a dash between them as a separator; the per cent
    # was read as -0.35 and a rise became half a fall.
    assert parse_changes(f"254.86 {dash} 0.35%") == (254.86, 0.35)
    assert parse_changes(f"{dash}254.86 {dash} {dash}0.35%") == (-254.86, -0.35)
    assert parse_changes(f"{dash} 254.86 {dash} 0.35%") == (-254.86, -0.35)  # the change's sign is the per cent's
    market = market_of([("Sensex", "73,158.24", f"254.86 {dash} 0.35%", None)])
    assert market["Sensex"] == (73158.24, 254.86, 0.35)

