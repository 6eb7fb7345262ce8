"""The layout versions of the site, newest first; :func:`pick_layout` chooses one by markup."""

from __future__ import annotations

from ..page import Page
from .amp import AmpV1
from .base import Layout
from .legacy import Legacy2019
from .nextjs import NextJsV1

# Order matters only where markups could overlap: AMP pages are checked first
# because they also carry JSON-LD and story classes.
LAYOUTS: tuple[type[Layout], ...] = (AmpV1, NextJsV1, Legacy2019)


def pick_layout(page: Page) -> type[Layout] | None:
    """The first layout whose markup the page has, or None."""
    for layout in LAYOUTS:
        if layout.matches(page):
            return layout
    return None


__all__ = ["LAYOUTS", "AmpV1", "Layout", "Legacy2019", "NextJsV1", "pick_layout"]
