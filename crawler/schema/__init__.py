"""The JSON Schema of a written article line, generated from its dataclass by itemadapter and the validation rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter

from crawler.extraction import MARKET_INDICES, Article
from crawler.extraction.validate import REQUIRED_FIELDS

SCHEMA_PATH = Path(__file__).with_name("article.schema.json")

# What the README promises of every written line, beyond the dataclass's types (which also hold an
# extraction not yet validated): a loader types its columns from these, Spidermon validates with them.
# ISO 8601 to the second with the +05:30 offset, as normalize.iso_ist writes every date.
_DATE_TIME = {"format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$"}
# Absolute http(s) with a host, no white space, no fragment (IRIs too: no `format: uri`, which refuses them).
_URL = {"pattern": r"^https?://[^\s/?#]+(?:[/?][^\s#]*)?$"}
_TEXT = {"minLength": 1}
_FIELDS: dict[str, dict[str, Any]] = {
    "url": _URL,
    "canonicalUrl": _URL,
    # English: 1 + YYMMDD + a 5-digit sequence; the Hindi edition's own number, without leading zeros.
    "articleId": {"pattern": r"^(?:1\d{11}|hi-[1-9]\d*)$"},
    "section": _TEXT,
    "headline": _TEXT,
    "description": _TEXT,
    "dateline": _TEXT,
    "datePublished": _DATE_TIME,
    "datePublishedRaw": _TEXT,
    "dateModified": _DATE_TIME,
    "dateModifiedRaw": _TEXT,
    "readTimeMinutes": {"minimum": 1, "maximum": 120},
    "articleBody": _TEXT,
    "disclaimer": _TEXT,
    "inLanguage": {"enum": ["en", "hi"]},
    # Not an enum: a new layout version is a rule change, and must not need a schema of its own.
    "layout": _TEXT,
    "dateDownloaded": _DATE_TIME,
    "version": {"minimum": 1},
}
# Inside the lists and the image: field → its keys' extras.
_NESTED: dict[str, dict[str, dict[str, Any]]] = {
    "breadcrumbs": {"name": _TEXT, "url": _URL},
    "authors": {"name": _TEXT, "url": _URL},
    "mainImage": {"url": _URL, "alt": _TEXT, "caption": _TEXT},
    "alsoRead": {"headline": _TEXT, "url": _URL},
    "market": {"name": {"enum": list(MARKET_INDICES)}},
}


def _object(prop: dict[str, Any]) -> dict[str, Any]:
    """The object schema of a field: a list's items, or the non-null choice of an optional object."""
    found: dict[str, Any] = prop["items"] if "items" in prop else next(option for option in prop["anyOf"] if option.get("type") == "object")
    return found


def _never_null(prop: dict[str, Any]) -> None:
    """``prop`` without its null: a single type, no default."""
    if isinstance(prop["type"], list):
        kinds = [kind for kind in prop["type"] if kind != "null"]
        prop["type"] = kinds[0] if len(kinds) == 1 else kinds
    prop.pop("default", None)


def article_schema() -> dict[str, Any]:
    """The schema as generated now from :class:`Article`."""
    generated = ItemAdapter.get_json_schema(Article)
    properties: dict[str, Any] = generated["properties"]
    for name, extra in _FIELDS.items():
        properties[name].update(extra)
    for name, keys in _NESTED.items():
        nested = _object(properties[name])
        for key, extra in keys.items():
            nested["properties"][key].update(extra)
        # Every key of a written line is there, null where there is nothing.
        nested["required"] = list(nested["properties"])
    # The validation pipeline writes no article without these (an empty one is missing too), and the
    # spider stamps every article it hands on with the time of its fetch (a stored page's, in reextract).
    for name in (*REQUIRED_FIELDS, "dateDownloaded"):
        _never_null(properties[name])
    generated["required"] = list(properties)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Business Standard article", **generated}
    return schema


def render() -> str:
    """The schema file's text."""
    return json.dumps(article_schema(), indent=2, ensure_ascii=False) + "\n"
