"""The discovery sources (feeds, sitemaps, listings) of one run: each read once, and a bound on how many.

Discovery requests bypass the duplicate filter (crawler/dupefilter.py), so that a resumed ``JOBDIR``
run reads its sources again and finds the articles the killed run had in flight. Nothing else would
stop a sitemap that lists itself, or "next" pages that never end, from being fetched forever; this
set does. A source is requested and read at most once per attempt. The set is kept in the ``JOBDIR``
(one URL a line), so the bound on sources counts every source of the run, in every attempt: a loop
of ever-new URLs stops at ``BS_MAX_SOURCES`` whatever the number of kills and resumes.
A source request the attempt before left queued (a run stopped, not killed, keeps its queue) is
this attempt's when the scheduler pops it before the source was asked for again, and is dropped
when it was (crawler/jobdir.py): each source is fetched once per attempt.
"""

from __future__ import annotations

import enum
import uuid
from pathlib import Path
from typing import TextIO

from w3lib.url import canonicalize_url

FILE_NAME = "bs-sources-requested.txt"
# The file's last line once its run finished (no URL: canonical URLs have a scheme).
FINISHED = "# finished"
# The attempt a source request was made in (request meta): a resumed JOBDIR run tells the requests
# the attempt before left queued from its own.
ATTEMPT_META = "bs_source_attempt"


class Claim(enum.Enum):
    """What :meth:`VisitedSources.claim` decided."""

    NEW = "new"
    REPEATED = "repeated"
    # Requested already by this attempt from the queue an earlier attempt left (a resumed JOBDIR run).
    QUEUED_BEFORE = "queued-before"
    LIMIT = "limit"


def source_key(url: str) -> str:
    """What tells two sources apart: the URL in its canonical form (query sorted, host in lower case …)."""
    try:
        return canonicalize_url(url)
    except ValueError:
        return url



class VisitedSources:
    """Sources requested and read in this run; ``path`` (in the ``JOBDIR``) keeps them across resumes."""

    def __init__(self, limit: int, path: Path | None = None) -> None:
        self.limit = limit
        self._requested: set[str] = set()
        self._read: set[str] = set()
        # Every source requested by this run, earlier attempts included (the bound counts these).
        self._run: set[str] = set()
        # Of this attempt's requested, those taken from the queue an earlier attempt left.
        self._taken_over: set[str] = set()
        self.attempt = uuid.uuid4().hex
        self._file: TextIO | None = None
        if path is not None:
            if path.is_file():
                with open(path, encoding="utf-8", errors="replace") as lines:
                    self._run.update(line.rstrip("\n") for line in lines if line.strip())
            # The sources of a run that finished are no part of this one (see close()).
            finished = FINISHED in self._run
            if finished:
                self._run.clear()
            self._file = open(path, "w" if finished else "a", encoding="utf-8")

    @classmethod
    def for_job(cls, limit: int, jobdir: str | None) -> VisitedSources:
        """The set of a run; kept in ``jobdir`` when there is one."""
        if not jobdir:
            return cls(limit)
        folder = Path(jobdir)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(limit, folder / FILE_NAME)

    @property
    def requested(self) -> int:
        """How many sources this run requested, earlier attempts included."""
        return len(self._run)

    def claim(self, url: str) -> Claim:
        """Whether ``url`` may be requested now: not yet in this attempt, and the bound not reached."""
        key = source_key(url)
        if key in self._requested:
            return Claim.QUEUED_BEFORE if key in self._taken_over else Claim.REPEATED
        if key not in self._run and 0 < self.limit <= len(self._run):
            return Claim.LIMIT
        self._requested.add(key)
        if key not in self._run:
            self._run.add(key)
            if self._file is not None:
                try:
                    self._file.write(key + "\n")
                    self._file.flush()
                except OSError:
                    # A full disk (the scheduler's queue beside it fails too, and stops the run): the
                    # bound counts this attempt's sources in memory; a traceback lost the source.
                    self._drop_file()
        return Claim.NEW

    def _drop_file(self) -> None:
        file, self._file = self._file, None
        try:
            if file is not None:
                file.close()
        except OSError:
            pass

    def take_over(self, url: str) -> bool:
        """Whether a request for the source ``url`` that an earlier attempt queued (a resumed ``JOBDIR``
        run pops it) is still to be sent: not when this attempt requested the source already."""
        key = source_key(url)
        if key in self._requested:
            return False
        self._requested.add(key)
        self._taken_over.add(key)
        return True

    def requested_before(self, url: str) -> bool:
        """Whether ``url`` was requested (or read) in this attempt already, with a slash after its
        path or not (``/markets/news/`` is the page ``/markets/news`` was)."""
        key = source_key(url)
        twin = key[:-1] if key.endswith("/") else key + "/"
        return key in self._requested or twin in self._requested

    def first_read(self, url: str) -> bool:
        """True the first time ``url`` is read in this attempt (a request queued twice is read once)."""
        key = source_key(url)
        if key in self._read:
            return False
        self._read.add(key)
        self._requested.add(key)
        return True

    def close(self, *, finished: bool = False) -> None:
        """Close the file; ``finished``: the run is over (not killed nor stopped half-way), so its
        sources count against no later run. A ``JOBDIR`` kept for the next run (a nightly ``section`` resumable
        when killed) made that one a later attempt of this one: the bound counted every source of
        every earlier run, and a walk whose page URLs change (a cursor in the query) reached it."""
        if self._file is not None:
            try:
                if finished:
                    self._file.write(FINISHED + "\n")
                self._file.close()
            except OSError:
                pass  # (as a run stopped half-way: its sources count against the next attempt)
            self._drop_file()
