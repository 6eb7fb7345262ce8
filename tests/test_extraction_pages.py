"""Every test page (tests/pages/<layout>/<case>/) against its expected item: each key, each value, the schema."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from functools import lru_cache
from typing import Any

import jsonschema
import pytest

from crawler.extraction import Article, NotAnArticle, extract
from crawler.schema import SCHEMA_PATH, render
from tests.conftest import PAGES, load_json, shared_file
from tests.pages.build import folder_problems, page_bytes
from tests.pages.cases import CASES, Case

KEYS = [f.name for f in fields(Article)]
ARTICLES = [pytest.param(c, id=c.folder) for c in CASES if c.not_article is None]
NOT_ARTICLES = [pytest.param(c, id=c.folder) for c in CASES if c.not_article is not None]


def _body(case: Case) -> bytes:
    if case.shared:
        shared_file(case.shared)  # skips with the reason when ../shared is absent
    return page_bytes(case, PAGES / case.folder)


@lru_cache(maxsize=None)
def _actual(folder: str) -> dict[str, Any]:
    case = next(c for c in CASES if c.folder == folder)
    return asdict(extract(_body(case), case.url).article)


def _expected(case: Case) -> dict[str, Any]:
    return load_json(PAGES / case.folder / "expected.json")  # type: ignore[no-any-return]


def test_every_folder_is_a_case_and_every_case_has_its_files() -> None:
    problems = folder_problems(PAGES, CASES)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", ARTICLES)
@pytest.mark.parametrize("key", KEYS)
def test_field(case: Case, key: str) -> None:
    _body(case)
    expected = _expected(case)
    assert key in expected, f"{case.folder}: expected.json lacks {key!r}"
    assert _actual(case.folder)[key] == expected[key]


@pytest.mark.parametrize("case", ARTICLES)
def test_no_unexpected_keys_and_the_schema(case: Case) -> None:
    actual, expected = _actual(case.folder), _expected(case)
    assert list(actual) == KEYS and list(expected) == KEYS
    schema = json.loads(SCHEMA_PATH.read_text())
    # The schema is of written lines, which the spider stamps with the time of the fetch.
    stamp = {"dateDownloaded": "2024-03-01T09:00:00+05:30"}
    jsonschema.validate({**expected, **stamp}, schema)
    jsonschema.validate({**actual, **stamp}, schema)


@pytest.mark.parametrize("case", NOT_ARTICLES)
def test_pages_that_are_not_articles(case: Case) -> None:
    assert _expected(case) == {"notAnArticle": case.not_article}
    with pytest.raises(NotAnArticle) as raised:
        extract(_body(case), case.url)
    assert raised.value.reason == case.not_article


def test_shipped_schema_is_generated_from_the_item() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), "run: python -m crawler.schema"


def test_schema_rejects_an_item_without_headline() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    item = load_json(PAGES / "nextjs-2023" / "seed-syndicated" / "expected.json")
    del item["headline"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(item, schema)
