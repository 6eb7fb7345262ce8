"""Whether this process only looks at pages (``scrapy check``, ``parse``, ``fetch``, ``view``, ``shell``): no run to judge, record, ping or keep state of."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Scrapy's `check` sets SCRAPY_CHECK while its contracts run; the project's `parse`, `fetch`, `view` and `shell` set
# this one, by its example, to the command's name.
LOOK_ENVIRONMENT = "SCRAPY_LOOKING_ONLY"


def looking_only() -> bool:
    """True inside ``scrapy check``, ``parse``, ``fetch``, ``view`` or ``shell``: their requests are no run of the spider."""
    return bool(os.environ.get("SCRAPY_CHECK") or os.environ.get(LOOK_ENVIRONMENT))


@contextmanager
def looking(command: str, settings: Any = None, url: str | None = None) -> Iterator[None]:
    """Marks the process as one that only looks at pages (``command``) while its crawl is made and runs; a
    look at ``url`` whose host asked the runs on ``settings``' state dir to wait (a kept Retry-After) says so."""
    if settings is not None and url:
        # (Imported here: the module keeping the waits asks this one whether a process only looks.)
        from crawler.incremental.sitewait import look_wait_warning

        warning = look_wait_warning(settings, url)
        if warning:
            # Said, not refused: one request asked by hand; the cron runs were refused (exit 4) meanwhile.
            print(f"warning: {warning}", file=sys.stderr)
    before = os.environ.get(LOOK_ENVIRONMENT)
    os.environ[LOOK_ENVIRONMENT] = command
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(LOOK_ENVIRONMENT, None)
        else:
            os.environ[LOOK_ENVIRONMENT] = before
