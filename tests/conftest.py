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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run first: on several workers (``-n``) a long test started last would
    leave the other workers idle while it finishes. The order is stable, the same on every worker.

    On a worker of ``--dist loadgroup``, a test's ``xdist_group`` is put into its node id, as
    pytest-xdist does: xdist 3.8 sets ``item._nodeid``, which pytest 9.2 no longer reads (its node
    ids are ``item._id``), so without this every group would be spread over the workers."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest before 9.2: xdist's own renaming works
        return
    for item in items:
        names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(sorted(names))}")


def shared_file(relative: str) -> Path:
    """A file in ``../shared``, or skip the test with the reason."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: clone the project beside ../shared to run this test")
    return path


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
