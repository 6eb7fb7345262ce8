"""The extraction benchmark's timing loop: every extractor run as often on every page, in turns or back to back."""

from __future__ import annotations

from typing import Any

import pytest

from bench import extraction
from bench.extractors import Extractor
from bench.pages import BenchPage


def _recording(calls: list[tuple[str, str]]) -> list[Extractor]:
    def contender(name: str, judged: bool) -> Extractor:
        def run(body: bytes, url: str) -> Any:
            calls.append((name, url))
            return {"headline": body.decode()}

        return Extractor(name, run, (lambda result: dict(result)) if judged else None)

    return [contender("a", True), contender("b", True), contender("parse", False)]


@pytest.mark.parametrize("back_to_back", [False, True])
def test_every_extractor_runs_as_often_on_every_page_and_is_judged_once(monkeypatch: pytest.MonkeyPatch, back_to_back: bool) -> None:
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(extraction, "extractors", lambda: _recording(calls))
    pages = [BenchPage("g", f"https://x/{i}", f"h{i}".encode(), {"headline": f"h{i}"}) for i in range(6)]
    result = extraction.measure(pages, repeats=3, progress=None, back_to_back=back_to_back)
    timed = calls[3 * 5 :]  # after the warm-up's five pages each
    for page in pages:
        on_page = [name for name, url in timed if url == page.url]
        assert sorted(on_page) == sorted(["a", "b", "parse"] * 4)  # one judged run and three timed, each
        runs_of_a = [i for i, name in enumerate(on_page) if name == "a"]
        # Back to back, one extractor's four runs follow one another; in turns, the others come between.
        assert (runs_of_a == list(range(runs_of_a[0], runs_of_a[0] + 4))) is back_to_back
    assert all(len(result.times[name]) == len(pages) for name in result.names)
    assert result.right["a"]["headline"] == [True] * len(pages)
    assert "parse" not in result.right
