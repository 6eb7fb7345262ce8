"""A thread that keeps a worker's marks in Redis fresh while its reactor is held up by one long callback."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# How long the reactor may be held up before the thread stops standing in for it: a worker whose
# reactor has not come back by then is wedged, and the other workers may take over what it holds.
MAX_STALL_SECONDS = 600.0
# Longer than one beat can take against a Redis that does not answer (timeouts and retries).
STOP_WAIT_SECONDS = 60.0


class Pulse:
    """Calls ``beat`` every ``interval`` seconds from a thread, but only while the reactor's own beat
    (:meth:`beaten`) is late, and for ``max_stall`` seconds at most.

    The marks a worker keeps in Redis (its place in the run's worker set, its runs' alive keys) are
    refreshed by a ``LoopingCall`` on the reactor. A callback that holds the reactor longer than a
    worker's staleness (a 50 MB sitemap, a slow disk) made a live worker count as gone: another
    worker took the requests it had in hand and the claims of its articles, and both wrote them.
    A thread runs while the reactor is busy; a killed worker's thread dies with it.
    """

    def __init__(self, beat: Callable[[], object], *, interval: float, name: str, max_stall: float = MAX_STALL_SECONDS) -> None:
        self.beat = beat
        self.interval = interval
        self.max_stall = max_stall
        self.name = name
        self.last_beaten = time.monotonic()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start standing in for the reactor's beat (once)."""
        if self._thread is not None:
            return
        self.last_beaten = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def beaten(self) -> None:
        """The reactor beat: nothing to stand in for until it is late again."""
        self.last_beaten = time.monotonic()

    def stop(self) -> None:
        """Stop the thread; after this returns it calls ``beat`` no more."""
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            # A beat under way is waited for, however slow its Redis (the client gives up within
            # seconds): landing after the worker signed off, it would put the worker back in its run.
            self._thread.join(timeout=STOP_WAIT_SECONDS)
        self._thread = None

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            late = time.monotonic() - self.last_beaten
            # A beat missed once is no stall: the reactor's beat may only be a moment behind.
            if not 1.5 * self.interval < late < self.max_stall:
                continue
            try:
                self.beat()
            except Exception as error:  # noqa: BLE001 - the reactor's beat reports a lost Redis
                logger.debug("%s: a beat from the thread failed: %s", self.name, error)
