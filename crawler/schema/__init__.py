"""The JSON Schema of the article item, generated from its dataclass by itemadapter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter

from crawler.extraction import Article

SCHEMA_PATH = Path(__file__).with_name("article.schema.json")


def article_schema() -> dict[str, Any]:
    """The schema as generated now from :class:`Article`."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Business Standard article",
        **ItemAdapter.get_json_schema(Article),
    }
    return schema


def render() -> str:
    """The schema file's text."""
    return json.dumps(article_schema(), indent=2, ensure_ascii=False) + "\n"
