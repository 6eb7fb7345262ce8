"""Signals of the monitoring feature: the verdict tells the run history, the heartbeat and others
once the run's exit status is known."""

from __future__ import annotations

from typing import Any

from scrapy.signalmanager import SignalManager
from scrapy.utils.defer import maybe_deferred_to_future

# Sent with ``spider``, ``finish_reason`` (Scrapy's), ``status`` (the exit status), ``why`` and
# ``summary`` (the summary line), once every feed was stored and the verdict judged the run. Handlers
# that read the exit status listen here, not to ``spider_closed``: the verdict may still be waiting
# for a feed to be stored when the other ``spider_closed`` handlers run.
run_judged = object()


async def send_and_wait(signals: SignalManager, signal: object, **kwargs: Any) -> None:
    """Send ``signal`` and wait for its handlers (those returning coroutines or Deferreds too)."""
    send_async = getattr(signals, "send_catch_log_async", None)
    if send_async is not None:  # Scrapy 2.14+, which deprecates send_catch_log_deferred
        await send_async(signal=signal, **kwargs)
    else:  # Scrapy 2.13; drop this branch with 2.13 support
        await maybe_deferred_to_future(signals.send_catch_log_deferred(signal=signal, **kwargs))
