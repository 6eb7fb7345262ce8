"""A JSON-LD block whose strings hold quotes the CMS did not escape (a headline quoting someone) was no JSON
to any parser, and the whole block was lost: every field it held, and a page of an unknown layout with it."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from crawler.extraction import extract
from crawler.extraction.page import loads_lenient
from tests.conftest import ROOT

GENERIC = ROOT / "tests" / "pages" / "generic" / "jsonld-unknown-layout"
HTML = (GENERIC / "page.html").read_text(encoding="utf-8")
URL = json.loads((GENERIC / "meta.json").read_text(encoding="utf-8"))["url"]
EXPECTED = json.loads((GENERIC / "expected.json").read_text(encoding="utf-8"))
BODY_START = "The rupee closed at a record low on Tuesday as importers rushed"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('{"headline": "He said "no" to it", "x": 1}', {"headline": 'He said "no" to it', "x": 1}),
        ('{"headline": "He said "yes", then left", "x": 1}', {"headline": 'He said "yes", then left', "x": 1}),
        ('{"a": "the "b" of "c""}', {"a": 'the "b" of "c"'}),
        ('["a "b" c", 2]', ['a "b" c', 2]),
        ('{"body": "line one\n"quoted" line two"}', {"body": 'line one\n"quoted" line two'}),
    ],
    ids=["before-a-word", "before-a-comma", "several", "in-a-list", "raw-newline-too"],
)
def test_quotes_left_unescaped_inside_strings_are_read_as_the_strings_text(raw: str, value: object) -> None:
    assert loads_lenient(raw) == value


@pytest.mark.parametrize("raw", ['{"a": 1,, }', '{"a": "b" c}', '{"a": "b" "c" d}', "{" * 5])
def test_json_that_no_quote_explains_is_still_none(raw: str) -> None:
    assert loads_lenient(raw) is None


def test_a_page_of_unknown_layout_whose_json_ld_has_unescaped_quotes_is_still_an_article() -> None:
    quoted = 'Rupee ends at "record low" as importers rush to buy dollars'
    html = HTML.replace('"headline": "Rupee ends at record low as importers rush to buy dollars"', f'"headline": "{quoted}"')
    html = html.replace(f'"articleBody": "{BODY_START}', f'"articleBody": "The "rupee" closed{BODY_START[len("The rupee closed"):]}')
    assert html.count('"record low"') == 1 and html.count('The "rupee" closed') == 1
    article = extract(html, URL).article
    assert article.headline == quoted
    got = asdict(article)
    assert got["articleBody"].startswith('The "rupee" closed at a record low')
    for name, value in EXPECTED.items():
        if name not in ("headline", "articleBody", "dateDownloaded"):
            assert got[name] == value, name
