"""The quality gate (python -m bench.quality) in the test suite: every field at or above its pinned floor."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.quality import FLOORS, evaluate, gate_pages, lcs_f1, main
from tests.conftest import SHARED


def test_lcs_f1_counts_words_in_order() -> None:
    assert lcs_f1("a b c d", "a b c d") == 1.0
    assert lcs_f1("", "") == 1.0 and lcs_f1("a", "") == 0.0
    assert lcs_f1("d c b a", "a b c d") == pytest.approx(0.25)  # one word in order
    assert lcs_f1("a b x c", "a b c") == pytest.approx(2 * 0.75 * 1.0 / 1.75)


def test_every_field_is_at_or_above_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    if not (SHARED / "real").is_dir():
        pytest.skip(f"{SHARED / 'real'} is absent: the gate includes the real pages")
    assert main() == 0, capsys.readouterr().out


def test_the_gate_fails_when_a_field_is_wrong() -> None:
    if not (SHARED / "real").is_dir():
        pytest.skip(f"{SHARED / 'real'} is absent: the gate includes the real pages")
    pages = gate_pages()[:5]
    wrong = [replace(p, truth={**p.truth, "headline": "Something else"}) for p in pages]
    scores, misses = evaluate(wrong)
    assert scores["headline"] < FLOORS["headline"] and any("headline" in m for m in misses)
