"""Whether this process only looks at pages (``scrapy check``, ``scrapy parse``): no run to judge, record, ping or report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

# Scrapy's `check` sets SCRAPY_CHECK while its contracts run; the project's `parse` sets this one, by its example.
PARSE_ENVIRONMENT = "SCRAPY_PARSE"


def looking_only() -> bool:
    """True inside ``scrapy check`` or ``scrapy parse``: their sample requests are no run of the spider."""
    return bool(os.environ.get("SCRAPY_CHECK") or os.environ.get(PARSE_ENVIRONMENT))


@contextmanager
def parsing() -> Iterator[None]:
    """Marks the process as ``scrapy parse`` while its crawl is made and runs."""
    before = os.environ.get(PARSE_ENVIRONMENT)
    os.environ[PARSE_ENVIRONMENT] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PARSE_ENVIRONMENT, None)
        else:
            os.environ[PARSE_ENVIRONMENT] = before
