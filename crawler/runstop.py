"""Closing the running crawl from a component (a block, a rate limit, a lost store), and waiting for a close under way, by engine APIs every Scrapy this project runs on has."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

# How often a wait for the spider's close looks whether it has finished (no signal tells).
CLOSE_POLL_SECONDS = 0.05


def running_engine(crawler: Crawler) -> Any:
    """The crawler's engine, or None before the crawl started (Scrapy 2.14+ raises where 2.13 gives None,
    as for a crawler a test or a command made without crawling)."""
    try:
        return crawler.engine
    except RuntimeError:
        return None


def run_closing(crawler: Crawler) -> bool:
    """Whether the crawl's spider began to close, whoever closes it (stop_run, a ``CLOSESPIDER_*`` limit,
    Ctrl-C or SIGTERM); False with no crawl. No signal says so before the close is over, and the close
    waits for every request in the downloader: one held back waits for this, not for its time to come."""
    engine = running_engine(crawler)
    if engine is None:
        return False
    # The engine's slot has its closing Deferred from the moment close_spider is called (2.13 to 2.19 alike).
    return not crawler.crawling or not engine.running or getattr(getattr(engine, "_slot", None), "closing", None) is not None


# Signal sent with ``reason`` as stop_run closes the spider: a component holding requests back (the
# 429 waits) lets them go unsent then, as Scrapy's close waits for every request in the downloader.
run_stopping = object()


def stop_run(crawler: Crawler, reason: str) -> None:
    """Close the crawl's spider with ``reason`` (when it is open): ``close_spider_async`` where Scrapy
    has it (2.19 warns about ``close_spider()``, which 2.13 has alone)."""
    engine = running_engine(crawler)
    if engine is None or engine.spider is None:
        return
    crawler.signals.send_catch_log(signal=run_stopping, reason=reason)
    close_async = getattr(engine, "close_spider_async", None)
    if close_async is not None:
        deferred_from_coro(close_async(reason=reason))
    else:
        engine.close_spider(engine.spider, reason)


def close_under_way(crawler: Crawler) -> Deferred[None] | None:
    """For an ``engine_stopped`` handler: a Deferred that fires once the spider's close under way has
    finished (its feeds stored, the run settled and judged); None when no close is under way.

    From Scrapy 2.14 on, its graceful stop (one Ctrl-C or SIGTERM) stops the engine while the spider is
    still closing, without waiting for that close (it waits only for the requests in progress): the
    reactor stopped during a slow upload of the feed at the end, whose articles were then never marked
    seen, and the next run uploaded them all again. The engine waits for what its ``engine_stopped``
    handlers return; a second signal (Scrapy's forced stop) still stops the reactor at once."""
    engine = running_engine(crawler)
    if engine is None or engine.spider is None:
        return None
    from twisted.internet import reactor  # the one the crawler installed

    finished: Deferred[None] = Deferred()

    def look() -> None:
        now = running_engine(crawler)
        if now is None or now.spider is None:
            finished.callback(None)
        else:
            reactor.callLater(CLOSE_POLL_SECONDS, look)  # type: ignore[attr-defined,arg-type,unused-ignore]

    look()
    return finished
