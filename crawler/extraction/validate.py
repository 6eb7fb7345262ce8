"""Which fields an article lacks: the required ones make it invalid, the rest feed coverage stats."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from .article import Article

REQUIRED_FIELDS: tuple[str, ...] = ("url", "headline", "articleBody", "datePublished")

# Fields that may legitimately be empty on a good article: they count in
# coverage stats but never make an item invalid.
_NOT_COUNTED = frozenset({"dateDownloaded", "version", "isSyndicated", "isPremium", "isLiveBlog", "market", "layout"})
# Read once: dataclasses.fields() builds its list again at every call, for every item of a run.
_COUNTED: tuple[str, ...] = tuple(f.name for f in fields(Article) if f.name not in _NOT_COUNTED)


def _is_empty(value: Any) -> bool:
    """None, or an empty text, list or dict (``== ""``, ``== []``, ``== {}``: 0 and False are values)."""
    # (As the page objects' pick() tells them: a present value by its truth alone, without an empty
    # list and dict made to compare it with, for every field of every item.)
    return value is None or (not value and isinstance(value, (str, list, dict)))


def missing_required(article: Article) -> list[str]:
    """Required fields that are empty."""
    return [name for name in REQUIRED_FIELDS if _is_empty(getattr(article, name))]


def missing_fields(article: Article) -> list[str]:
    """Every reader-visible field that is empty (for ``article/missing/<field>`` stats)."""
    return [name for name in _COUNTED if _is_empty(getattr(article, name))]
