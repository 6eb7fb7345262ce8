"""The JSON lines feed exporter, with a fast path for :class:`Article` items.

Scrapy's ``JsonLinesItemExporter`` turns an item into a dict through itemadapter, then lets
``ScrapyJSONEncoder.default`` adapt every nested dataclass (authors, image, Also Read, ticker)
one by one; for an article that is most of the cost of writing its line. This exporter writes the
same bytes (same keys in the same order, same JSON options) as ``json.dumps`` of
``dataclasses.asdict(article)``, and leaves anything else (other items,
``fields_to_export``, custom encoder options) to Scrapy.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from crawler.extraction import Article

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def dataclass_fields(value: Any) -> dict[str, Any]:
    """``default`` of a JSON encoder: a dataclass as a dict of its fields in declaration order, one
    level deep (the encoder goes on into the values, calling this again for nested dataclasses).

    ``json.dumps(value, default=dataclass_fields)`` is ``json.dumps(asdict(value))`` without first
    building the whole tree of dicts and lists: the encoder walks the strings and lists itself. With
    ``check_circular=False`` (no bookkeeping per dict and list), an item that holds itself raises
    ``RecursionError``.
    """
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: getattr(value, name) for name in names}


class ArticleJsonLinesItemExporter(JsonLinesItemExporter):
    """``jsonlines`` as Scrapy writes it, faster for articles."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        # The fast path only where its output is Scrapy's byte for byte: every field, in
        # declaration order, and the encoder options Scrapy would use (only ensure_ascii).
        self._fast = self.fields_to_export is None and set(self._kwargs) == {"ensure_ascii"}
        self._encode = json.JSONEncoder(
            ensure_ascii=bool(self._kwargs.get("ensure_ascii")), check_circular=False, default=dataclass_fields
        ).encode
        self._charset = self.encoding or "utf-8"

    def export_item(self, item: Any) -> None:
        if self._fast and type(item) is Article:
            self.file.write((self._encode(item) + "\n").encode(self._charset))
            return
        super().export_item(item)
