"""Shared fixtures: where the test pages and ``../shared`` are, and the expected items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.reactor import install_reactor

# Scrapy's test helpers (get_crawler) need the reactor the settings name, installed once.
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "pages"
SHARED = ROOT.parent / "shared"
SITE = "https://www.business-standard.com"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run first: on several workers (``-n``) a long test started last would
    leave the other workers idle while it finishes. The order is stable, the same on every worker."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def shared_file(relative: str) -> Path:
    """A file in ``../shared``, or skip the test with the reason."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: clone the project beside ../shared to run this test")
    return path


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
