"""Probes of what round 17 left over, round 18: falls the ticker writes in an accountant's or a table's way,
a ticker whose every page came out empty, an extra ticker item the render waited for, and settings the
checks let through (the settings module's own Scrapy names, a decimal for a whole number, a timeout of 0)."""

from __future__ import annotations

import pytest

from tests.test_splash_probes_round11 import market_of

# --- falls written after the figure or in parentheses -----------------------------------------------------

# A fall written as accounts write it, "(254.86)", or with the minus after the figure, "254.86-": before,
# both read as a rise (254.86, 0.35), a wrong number written as good.
FALLS = {
    "parentheses": ("(254.86)", "0.35"),
    "parentheses-spaced": ("( 254.86 )", "0.35"),
    "parentheses-with-the-rupee": ("(\u20b9254.86)", "0.35"),
    "parentheses-per-cent-too": ("(254.86)", "(0.35)"),
    "trailing-minus": ("254.86-", "0.35"),
    "trailing-minus-on-both": ("254.86-", "0.35-"),
    "trailing-minus-with-the-rupee": ("\u20b9254.86-", "0.35"),
}


@pytest.mark.parametrize(("change", "percent"), FALLS.values(), ids=FALLS.keys())
def test_a_fall_in_parentheses_or_with_a_trailing_minus_is_negative(change: str, percent: str) -> None:
    assert market_of([("Sensex", "73,158.24", change, percent)])["Sensex"] == (73158.24, -254.86, -0.35)


# Parentheses and dashes that mark no fall keep the figures as they were.
NOT_FALLS = {
    "per-cent-in-parentheses": ("254.86 (0.35%)", None, (254.86, 0.35)),
    "change-and-per-cent-dash-apart": ("254.86 - 0.35%", None, (254.86, 0.35)),
    "signed-in-parentheses": ("(+254.86)", "(+0.35)", (254.86, 0.35)),
    "minus-inside-parentheses": ("(-254.86)", "(-0.35)", (-254.86, -0.35)),
    "a-figure-before-the-parentheses": ("254.86 (12)", None, (254.86, 12.0)),
}


@pytest.mark.parametrize(("change", "percent", "expected"), NOT_FALLS.values(), ids=NOT_FALLS.keys())
def test_parentheses_and_dashes_that_mark_no_fall_change_nothing(change: str, percent: str | None, expected: tuple[float, float]) -> None:
    assert market_of([("Sensex", "73,158.24", change, percent)])["Sensex"] == (73158.24, *expected)
