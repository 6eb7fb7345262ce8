"""Output file names in the items' time zone: ``%(time)s`` is India's time (IST), as the items' dates are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.extraction.normalize import IST

# A distributed worker's mark of a run that wrote no article, ``<spider>-<worker>.empty``, beside where its
# feed file would be (crawler/distributed/emptyrun.py); `scrapy merge` takes a folder holding one for a
# worker that got no work, not for a machine's copy that failed.
EMPTY_RUN_MARK_SUFFIX = ".empty"


def ist_time(moment: datetime | None = None) -> str:
    """``2026-12-01T17-15-04+05-30``: Scrapy's ``%(time)s`` layout (colons are awkward in file names), in IST."""
    return (moment or datetime.now(IST)).astimezone(IST).replace(microsecond=0).isoformat().replace(":", "-")


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """FEED_URI_PARAMS: Scrapy's parameters, with ``time`` in IST (Scrapy's own is UTC)."""
    return {**params, "time": ist_time()}
