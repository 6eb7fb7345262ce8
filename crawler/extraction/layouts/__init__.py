"""The page objects, one per layout version; :func:`pick_layout` chooses one by the page's markup."""

from __future__ import annotations

from ..page import Page
from .amp import AmpV1
from .base import ArticlePage, Provenance
from .generic import Generic
from .hindi import Hindi2020
from .legacy import Legacy2019
from .nextjs import NextJsBlueprint, NextJsV1

# Checked in order: AMP first (its pages carry JSON-LD and story classes too), a subclass before
# the version it refines, Generic last (it matches any page with article metadata).
LAYOUTS: tuple[type[ArticlePage], ...] = (AmpV1, NextJsBlueprint, NextJsV1, Legacy2019, Hindi2020, Generic)


def pick_layout(page: Page) -> type[ArticlePage] | None:
    """The first layout whose markup the page has, or None."""
    for layout in LAYOUTS:
        if layout.matches(page):
            return layout
    return None


__all__ = ["LAYOUTS", "AmpV1", "ArticlePage", "Generic", "Hindi2020", "Legacy2019", "NextJsBlueprint", "NextJsV1", "Provenance", "pick_layout"]
