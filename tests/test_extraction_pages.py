"""Every test page against its expected item: all keys, every value, and the JSON Schema."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import jsonschema
import pytest

from crawler.extraction import Article, extract_article
from crawler.schema import SCHEMA_PATH, render
from tests.conftest import PAGES, SITE, load_json, shared_file
from tests.pages.specs import PAGES as SPECS

CURRENT = sorted(PAGES.glob("current/*.html"))
REAL = sorted(PAGES.glob("real/*.json"))
KEYS = [f.name for f in fields(Article)]
# Fields a good article of that page may leave empty, checked by value like the rest.
MAY_BE_EMPTY = {"dateDownloaded", "version"}


def _current_case(page: Path) -> tuple[dict[str, object], dict[str, object]]:
    spec = SPECS[page.stem]
    article = extract_article(page.read_bytes(), SITE + spec.path)
    return asdict(article), load_json(page.with_suffix(".json"))


def _real_case(expected_path: Path) -> tuple[dict[str, object], dict[str, object]]:
    page = shared_file(f"real/{expected_path.stem}.html")
    expected = load_json(expected_path)
    return asdict(extract_article(page.read_bytes(), expected["url"])), expected


CASES = [pytest.param(_current_case, p, id=f"current/{p.stem}") for p in CURRENT] + [
    pytest.param(_real_case, p, id=f"real/{p.stem}") for p in REAL
]


def test_there_are_pages_for_every_required_kind() -> None:
    assert {p.stem for p in CURRENT} == {"seed-syndicated", "premium", "staff-multi-author", "no-image", "live-blog"}
    assert REAL, "the real pre-2023 page needs an expected item"


@pytest.mark.parametrize(("case", "path"), CASES)
@pytest.mark.parametrize("key", KEYS)
def test_field(case, path: Path, key: str) -> None:  # type: ignore[no-untyped-def]
    actual, expected = case(path)
    assert key in expected, f"{path.name}: expected JSON lacks {key!r}"
    assert actual[key] == expected[key]
    if key not in MAY_BE_EMPTY and key not in {"disclaimer", "mainImage", "readTimeMinutes", "alsoRead", "datePublishedRaw"}:
        assert expected[key] not in (None, "", []), f"{path.name}: {key} is empty; every page must fill it"


@pytest.mark.parametrize(("case", "path"), CASES)
def test_no_unexpected_keys_and_key_order(case, path: Path) -> None:  # type: ignore[no-untyped-def]
    actual, expected = case(path)
    assert list(actual) == KEYS
    assert list(expected) == KEYS


@pytest.mark.parametrize(("case", "path"), CASES)
def test_expected_items_validate_against_the_shipped_schema(case, path: Path) -> None:  # type: ignore[no-untyped-def]
    actual, expected = case(path)
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(expected, schema)
    jsonschema.validate(actual, schema)


def test_shipped_schema_is_generated_from_the_item() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), "run: python -m crawler.schema"


def test_schema_rejects_an_item_without_headline() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    item = load_json(PAGES / "current" / "seed-syndicated.json")
    del item["headline"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(item, schema)
