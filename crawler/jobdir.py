"""A ``JOBDIR`` checked before a run resumes from it (damaged queue files are refused in one line), and a scheduler whose JOBDIR failing mid-run stops the run.

Scrapy reads a damaged queue (a file cut short by a full disk or a copy that stopped) only when it
pops from it, and then fails on every attempt, a CRITICAL traceback every few seconds, for ever.
The project's disk queue is queuelib's LIFO file (Scrapy's default): a 4-byte count of records,
then the records, each followed by its 4-byte length. Walking the lengths back from the end must
land exactly on the count, after exactly that many records; anything else is a damaged file. A
count of 0 is what a killed run leaves (the count is written when the queue closes): queuelib then
ignores what is in the file, and the run's sources are read again, so that is not damage. Nor is an
empty file: queuelib writes the count when it creates the file, into a buffer that a killed run never
flushed; :func:`settle` writes that count of 0, since queuelib cannot read an empty file.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import struct
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.extensions.spiderstate import SpiderState

from crawler import stats as stat
from crawler.runstop import stop_run
from crawler.spiders.base import asked_url
from crawler.visited import ATTEMPT_META, VisitedSources

logger = logging.getLogger(__name__)

SIZE = struct.Struct(">L")
QUEUE_DIR = "requests.queue"
STATE_FILE = "spider.state"


def _lifo_problem(path: Path, name: str) -> str | None:
    """Why a queuelib LIFO disk queue file (``name`` in messages) is damaged; None when it reads whole."""
    with open(path, "rb") as file:
        header = file.read(SIZE.size)
        if len(header) < SIZE.size:
            return f"{name} is cut short ({len(header)} bytes)"
        (count,) = SIZE.unpack(header)
        if count == 0:
            return None
        position = os.fstat(file.fileno()).st_size
        for index in range(count):
            if position - SIZE.size < SIZE.size:
                return f"{name} holds {index} of the {count} requests it announces"
            file.seek(position - SIZE.size)
            (length,) = SIZE.unpack(file.read(SIZE.size))
            position -= SIZE.size + length
            if position < SIZE.size:
                return f"{name} is cut short: request {index + 1} of {count} runs past its start"
        if position != SIZE.size:
            return f"{name} has {position - SIZE.size} bytes that belong to no request"
    return None


def settle(jobdir: str | os.PathLike[str] | None, disk_queue: str = "") -> list[str]:
    """Give the empty LIFO queue files a killed run left in ``jobdir`` their count of 0 (what queuelib
    would have written), so the run resumes; the names of the files settled."""
    if not jobdir or "lifo" not in disk_queue.lower():
        return []
    queues = Path(jobdir) / QUEUE_DIR
    settled = []
    for path in sorted(queues.rglob("*")) if queues.is_dir() else []:
        if path.is_file() and path.suffix != ".json" and path.stat().st_size == 0:
            path.write_bytes(SIZE.pack(0))
            settled.append(f"{QUEUE_DIR}/{path.relative_to(queues).as_posix()}")
    return settled


def damage(jobdir: str | os.PathLike[str] | None, disk_queue: str = "") -> str | None:
    """What is damaged in ``jobdir`` (one phrase), or None when it can be resumed (or does not exist).

    ``disk_queue`` is ``SCHEDULER_DISK_QUEUE``: the queue files are walked when it is a LIFO queue,
    the format this module knows; the other files are checked whatever it is.
    """
    if not jobdir:
        return None
    root = Path(jobdir)
    if not root.is_dir():
        return None
    queues = root / QUEUE_DIR
    active = queues / "active.json"
    try:
        if active.is_file():
            json.loads(active.read_text(encoding="utf-8"))
        state = root / STATE_FILE
        if state.is_file() and state.stat().st_size:
            with open(state, "rb") as file:
                pickle.load(file)  # noqa: S301 - Scrapy unpickles this very file on resume
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as error:
        return f"{type(error).__name__}: {error}"
    if queues.is_dir() and "lifo" in disk_queue.lower():
        for path in sorted(queues.rglob("*")):
            if path.is_file() and path.suffix != ".json":
                name = f"{QUEUE_DIR}/{path.relative_to(queues).as_posix()}"
                try:
                    problem = _lifo_problem(path, name)
                except OSError as error:
                    problem = f"{name}: {error.strerror or error}"
                if problem:
                    return problem
    return None


class JobdirScheduler(Scheduler):
    """Scrapy's scheduler, except that a ``JOBDIR`` queue that cannot be written or read (a full disk)
    stops the run in one ERROR line (stat ``bs/jobdir/failed``, exit 1).

    Scrapy's raised OSError from every later pop of the queue file, an asyncio traceback every five
    seconds, for ever: the run never ended, and its run lock kept every later cron run out (exit 3).
    After the failure the queue on disk is left alone (the requests of this attempt go on in memory
    until the run closes); the next run resumes from it or refuses it as damaged, in one line.
    """

    disk_failed = False

    def _dqpush(self, request: Request) -> bool:
        if self.disk_failed:
            return False
        try:
            return super()._dqpush(request)
        except OSError as error:
            self._failed(error)
            return False

    def _dqpop(self) -> Request | None:
        while not self.disk_failed:
            try:
                request = super()._dqpop()
            except OSError as error:
                self._failed(error)
                return None
            if request is None or self._still_wanted(request):
                return request
        return None

    def _still_wanted(self, request: Request) -> bool:
        """Whether a request from the disk queue is to be sent: not a feed, sitemap or listing that an
        earlier attempt of the run queued and this one, reading its sources again from their start (as
        it must after a kill, which leaves the queue empty), requested already. Sent twice, the one read
        second logged a WARNING as for a sitemap that lists itself."""
        attempt = request.meta.get(ATTEMPT_META)
        sources = getattr(getattr(self, "spider", None), "visited_sources", None)
        if attempt is None or not isinstance(sources, VisitedSources) or attempt == sources.attempt:
            return True
        # By the URL the source was asked for: a request the redirect of a source's answer made as the
        # run stopped goes to another URL, and the resumed attempt asks for the source as it is listed.
        if sources.take_over(asked_url(request)):
            request.meta[ATTEMPT_META] = sources.attempt
            return True
        if self.stats is not None:
            self.stats.inc_value(stat.JOBDIR_SOURCE_REQUEUED)
        logger.info("Not requesting <%s> again: the stopped attempt of this run had queued it, and this one asked for it already", request.url)
        return False

    def close(self, reason: str) -> Any:
        if self.disk_failed:
            # Closing the queue writes its state (a count, active.json): on the disk that failed, a
            # traceback, and the dupefilter left open.
            return self.df.close(reason)
        try:
            return super().close(reason)
        except OSError as error:
            self._failed(error)
            return self.df.close(reason)

    def _failed(self, error: OSError) -> None:
        if self.disk_failed:
            return
        self.disk_failed = True
        crawler = getattr(self, "crawler", None)
        if self.stats is not None:
            self.stats.set_value(stat.JOBDIR_FAILED, 1)
        logger.error(
            "Cannot use the JOBDIR %s (%s); stopping the run: free space and run it again to resume (a damaged one is refused: delete it to start afresh)",
            os.path.dirname(str(self.dqdir)), error.strerror or error,
        )
        if crawler is not None:
            stop_run(crawler, stat.JOBDIR_FAILED_REASON)


class JobdirSpiderState(SpiderState):
    """Scrapy's ``spider.state`` keeper, writing the file aside and renaming it over the old one: on a full
    disk the old one stays whole, and one ERROR line says so (Scrapy's left a cut file and a traceback)."""

    def spider_closed(self, spider: Spider) -> None:
        if not self.jobdir:
            return
        path = Path(self.statefn)
        temporary = path.with_name(path.name + ".new")
        try:
            with open(temporary, "wb") as file:
                pickle.dump(getattr(spider, "state", {}), file, protocol=4)
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            logger.error("Cannot write the spider's state in the JOBDIR %s (%s); the one from before is kept", self.jobdir, error.strerror or error)
