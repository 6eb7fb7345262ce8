"""Scrapy's in-memory stats collector, with plain attribute access: stats are counted per response and per item."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """:class:`MemoryStatsCollector` as it was before Scrapy 2.14 wrapped every attribute access.

    From 2.14 on, ``StatsCollector.__getattribute__`` looks up a cached wrapper (raising and catching
    an ``AttributeError`` on every access, ``self._stats`` included) so that it can warn about the
    deprecated ``spider`` argument, which this project never passes. About 15 stats change per article;
    the lookups cost more than the counting. The methods and their arguments are Scrapy's own.
    """

    # The C slot of object itself: Python's default attribute lookup, no Python-level call.
    __getattribute__ = object.__getattribute__
