"""What a page template prints for a value it lacked (JavaScript's `undefined`, `null`, `None`, `NaN`,
`[object Object]`) came out as the field's value: a description "undefined", a topic "undefined", an
image at `…/markets/news/undefined`. It is no value: the field is read from another source, or absent."""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from crawler.extraction import extract
from crawler.extraction.normalize import PLACEHOLDERS, absolute_url, clean_text
from tests.conftest import ROOT

PAGES = ROOT / "tests" / "pages"


def fixture(folder: str) -> tuple[str, str, dict[str, object]]:
    case = PAGES / folder
    page = case / "page.html"
    html = page.read_text(encoding="utf-8") if page.exists() else gzip.decompress((case / "page.html.gz").read_bytes()).decode()
    url = json.loads((case / "meta.json").read_text(encoding="utf-8"))["url"]
    return html, url, json.loads((case / "expected.json").read_text(encoding="utf-8"))


def replaced(html: str, old: str, new: str) -> str:
    assert html.count(old) == 1, old
    return html.replace(old, new)


@pytest.mark.parametrize("word", sorted(PLACEHOLDERS))
def test_a_placeholder_alone_is_no_text_and_no_address(word: str) -> None:
    assert clean_text(word) is None
    assert clean_text(f"  {word} ") is None
    assert absolute_url(word) is None
    if word.isalpha():
        assert absolute_url(f"https://bsmedia.business-standard.com/_media/bs/img/article/{word}") is None
        assert absolute_url(f"/author/{word}") is None


@pytest.mark.parametrize(
    "text", ["null and void", "Nonesuch", "NaN values in the data", "undefined benefit plan", "NULL", "nan"]
)
def test_text_that_only_holds_such_a_word_is_kept(text: str) -> None:
    assert clean_text(text) == text
    assert absolute_url("/topic/" + text.replace(" ", "-")) == "https://www.business-standard.com/topic/" + text.replace(" ", "-")


@pytest.mark.parametrize("spelling", ["undefined", '"undefined"', '"null"', "null", '"[object Object]"'])
def test_a_page_of_unknown_layout_whose_json_ld_lacks_values_has_those_fields_absent(spelling: str) -> None:
    html, url, expected = fixture("generic/jsonld-unknown-layout")
    html = replaced(html, '"description": "The currency fell 0.3 per cent against the dollar"', f'"description": {spelling}')
    html = replaced(html, '"keywords": "Rupee, Forex, RBI"', f'"keywords": {spelling}')
    image = '"url": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"'
    html = replaced(html, image, f'"url": {spelling}')
    got = asdict(extract(html, url).article)
    assert got["description"] is None
    assert got["topics"] == []
    assert got["mainImage"] is None
    for name, value in expected.items():
        if name not in ("description", "topics", "mainImage", "dateDownloaded"):
            assert got[name] == value, name


def test_a_current_page_whose_json_ld_lacks_values_takes_them_from_the_other_sources() -> None:
    html, url, expected = fixture("nextjs-2023/staff-multi-author")
    html = replaced(html, '"description": "Both carmakers plan to double battery pack assembly by the end of the financial year"', '"description": undefined')
    image = "https://bsmedia.business-standard.com/_media/bs/img/article/2024-07/10/full/1720625700-2231.jpg"
    html = replaced(html, f'"image": {{"@type": "ImageObject", "url": "{image}"', '"image": {"@type": "ImageObject", "url": "https://bsmedia.business-standard.com/undefined"')
    extracted = extract(html, url)
    got = asdict(extracted.article)
    for name, value in expected.items():
        if name != "dateDownloaded":
            assert got[name] == value, name
    # The template's word is no second opinion that disagrees with the page.
    assert not {"description", "mainImage"} & set(extracted.provenance.disagreements)
    assert extracted.provenance.sources["description"] != "json-ld"


@pytest.mark.parametrize("address", ["javascript:void(0)", "data:image/gif;base64,R0lGODlhAQABAAAAACw=", "mailto:desk@example.com", "undefined"])
def test_an_image_address_that_names_no_picture_is_no_main_image(address: str) -> None:
    # JSON-LD's or og:image's address was kept as written when it was no link: a `javascript:` image.
    html, url, expected = fixture("generic/jsonld-unknown-layout")
    image = "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"
    html = replaced(html, f'"url": "{image}"', f'"url": "{address}"')
    html = replaced(html, "</title>", f'</title><meta property="og:image" content="{address}">')
    assert asdict(extract(html, url).article)["mainImage"] is None
