"""The shipped JSON Schema as a data team loads the feed with it: it states what every written article holds."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.extraction import MARKET_INDICES, Article, extract
from crawler.extraction.validate import REQUIRED_FIELDS, missing_required
from crawler.schema import SCHEMA_PATH
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES
from tests.test_readme_truth_round13 import section

SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _written() -> dict[str, Any]:
    """A written article's line, as the feed holds it: a test page's item with the crawl's stamp."""
    case = next(case for case in CASES if case.folder == "nextjs-2023/staff-multi-author")
    article = extract(page_bytes(case, PAGES / case.folder), case.url).article
    article.dateDownloaded = "2024-03-01T09:00:00+05:30"
    article.version = 1
    item = asdict(article)
    assert [error.message for error in VALIDATOR.iter_errors(item)] == []
    return item


def _nullable(prop: dict[str, Any]) -> bool:
    kinds = prop.get("type", [])
    return "null" in kinds or any(option.get("type") == "null" for option in prop.get("anyOf", []))


def test_every_written_test_page_is_valid() -> None:
    # Every layout's written items (those the validation pipeline lets through) meet the schema and its formats.
    failures = {}
    for case in CASES:
        if case.not_article or case.shared:
            continue
        article = extract(page_bytes(case, PAGES / case.folder), case.url).article
        if missing_required(article):
            continue
        article.dateDownloaded, article.version = "2024-03-01T09:00:00+05:30", 1
        if errors := [error.message for error in VALIDATOR.iter_errors(asdict(article))]:
            failures[case.folder] = errors
    assert failures == {}


def test_every_key_is_in_every_line_so_a_missing_key_is_an_error() -> None:
    # Every written line holds every key (null where there is nothing): a line without one is broken, and a
    # loader may read a key's absence as a fault. (Before: only url, articleId, headline and layout were required.)
    assert SCHEMA["required"] == [field.name for field in fields(Article)]
    for name in ("breadcrumbs", "authors", "alsoRead", "market"):
        nested = SCHEMA["properties"][name]["items"]
        assert nested["required"] == list(nested["properties"]), name
    image = next(option for option in SCHEMA["properties"]["mainImage"]["anyOf"] if option.get("type") == "object")
    assert image["required"] == list(image["properties"])
    item = _written()
    del item["topics"]
    assert not VALIDATOR.is_valid(item)


@pytest.mark.parametrize("name", REQUIRED_FIELDS)
def test_a_field_no_article_is_written_without_is_never_null_nor_empty(name: str) -> None:
    # The validation pipeline drops an article without a date or a body; the schema said both could be null,
    # so Spidermon's item validation and a loader's NOT NULL column both took a half-empty line as good.
    assert not _nullable(SCHEMA["properties"][name])
    for empty in (None, ""):
        assert not VALIDATOR.is_valid({**_written(), name: empty}), (name, empty)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("datePublished", "Feb 28 2024 | 3:42 PM IST"),  # the page's display date, not read
        ("datePublished", "2024-02-28T15:42:00"),  # no offset: a loader would read it as UTC
        ("dateModified", "2024-02-28"),
        ("dateDownloaded", "2024-02-28 15:42:00+05:30"),
        ("articleId", "124022800873_1"),
        ("articleId", "hi-0166607"),
        ("articleId", "166607"),
        ("url", "/india-news/x-124022800873_1.html"),  # relative
        ("url", "javascript:void(0)"),
        ("canonicalUrl", "https://www.business-standard.com/x-124022800873_1.html#top"),
        ("readTimeMinutes", 0),
        ("readTimeMinutes", 999),
        ("inLanguage", "hi-IN"),
        ("layout", ""),
        ("version", 0),
    ],
)
def test_a_value_the_readme_rules_out_is_invalid(name: str, wrong: Any) -> None:
    # Before: each was a valid line (a plain string, integer), so the schema told a loader nothing of the
    # form and a regression writing it passed Spidermon's item validation.
    assert VALIDATOR.is_valid(_written())
    assert not VALIDATOR.is_valid({**_written(), name: wrong}), (name, wrong)


def test_nested_urls_and_names_are_held_to_the_same_forms() -> None:
    item = _written()
    for broken in (
        {"mainImage": {"url": "//bsmedia.business-standard.com/x.jpg", "alt": None, "caption": None}},
        {"authors": [{"name": "", "url": None}]},
        {"alsoRead": [{"headline": "Next story", "url": "next-124022800874_1.html"}]},
        {"market": [{"name": "Sensex 30", "value": None, "change": None, "changePercent": None}]},
    ):
        assert not VALIDATOR.is_valid({**item, **broken}), broken


def test_the_date_fields_are_stated_as_date_times_for_a_loader_to_type() -> None:
    # A table built from the schema (BigQuery's, a pandas dtype map) types a `date-time` string as a timestamp.
    for name in ("datePublished", "dateModified", "dateDownloaded"):
        assert SCHEMA["properties"][name]["format"] == "date-time", name
    assert SCHEMA["properties"]["market"]["items"]["properties"]["name"]["enum"] == list(MARKET_INDICES)


def test_the_readme_names_the_fields_that_can_be_null_as_the_schema_does() -> None:
    # README, under "The article item": the keys that may be null, and those never null; the schema agrees.
    text = " ".join(section("The article item").split())
    found = re.search(r"May be null: (.*?)\. Never null: (.*?)\.", text)
    assert found, "the README states which keys may be null"
    may, never = ([key for key in re.findall(r"`([\w.]+)`", part)] for part in found.groups())
    properties = SCHEMA["properties"]
    assert sorted(may) == sorted(name for name, prop in properties.items() if _nullable(prop))
    assert sorted(never) == sorted(name for name, prop in properties.items() if not _nullable(prop))


def test_a_crawl_of_every_layout_the_loopback_site_serves_writes_only_valid_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Current and pre-2023 stories, AMP links, the Hindi edition (its hosts reached through the site as a proxy).
    from tests.e2e import crawl
    from tests.loopback.site import LoopbackSite

    with LoopbackSite(articles=20, seed=29, legacy=4) as site:
        for name in ("http_proxy", "https_proxy"):
            monkeypatch.setenv(name, site.base_url)
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        urls = [site.base_url + record.path for record in site.articles[:6]] + [site.base_url + "/amp" + record.path for record in site.articles[-4:]]
        urls += [f"http://hindi.business-standard.com/storypage.php?autono={autono}" for autono in site.hindi.stories]
        result = crawl("article", tmp_path, "-a", "urls=" + ",".join(urls), settings={"BS_BASE_URL": site.base_url})
    assert result.status == 0, result.log[-3000:]
    assert {item["layout"] for item in result.items} == {"nextjs-2023", "pre2023", "hindi-2020"}
    assert len({item["articleId"] for item in result.items}) == len(result.items)
    failures = {item["url"]: errors for item in result.items if (errors := [error.message for error in VALIDATOR.iter_errors(item)])}
    assert failures == {}
