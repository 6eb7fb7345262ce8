"""The shape of the rules: a method per item field in every page object, no hashed CSS-module class."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from lxml import etree

from crawler.extraction import LAYOUTS, Article
from crawler.extraction.layouts.base import ArticlePage

# A CSS-module class with its per-deploy hash: "MainStory_stryhdtp__frNSf".
HASHED = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9]+__[A-Za-z0-9_-]{3,}")


def test_the_hash_pattern() -> None:
    assert HASHED.search("MainStory_stryhdtp__frNSf") and HASHED.search(".MainStory_dtlauthinfo__Pq2Ws")
    assert not HASHED.search("[class^=subscription_subscriptionPlan_]") and not HASHED.search("h1.stryhdtp")


def _selectors(layout: type[ArticlePage]) -> list[str]:
    found = []
    for klass in layout.__mro__:
        for value in vars(klass).values():
            if isinstance(value, etree.XPath):  # CSSSelector is an XPath; .path is what it compiles to
                found.append(value.path + " " + getattr(value, "css", ""))
    return found


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.layout for layout in LAYOUTS])
def test_every_field_has_its_method_and_selectors_name_no_hashed_class(layout: type[ArticlePage]) -> None:
    for field in fields(Article):
        assert hasattr(layout, field.name), f"{layout.__name__} lacks {field.name}()"
    selectors = _selectors(layout)
    assert selectors or layout.layout == "generic"
    for text in selectors:
        assert not HASHED.search(text), f"{layout.__name__}: {text}"


def test_layout_names_are_unique_and_refinements_come_first() -> None:
    names = [layout.layout for layout in LAYOUTS]
    assert len(names) == len(set(names))
    for index, layout in enumerate(LAYOUTS):
        for later in LAYOUTS[index + 1 :]:
            assert not issubclass(later, layout) or later is layout, f"{later.__name__} must come before {layout.__name__}"
