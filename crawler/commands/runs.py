"""``scrapy runs``: the run history as a table, newest first, with each exit status in words (``--json`` for scripts)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from crawler.commands.settingnames import CheckedSettings, unknown_spider
from crawler.monitoring.history import history_store, parse_time
from crawler.stdio import stdout_lost

_RELATIVE = re.compile(r"^(\d+)([hd])$")
# The start as the records hold it, in UTC, said so: a user in IST reading a UTC server's table took a run at
# 05:30 IST (00:00) for one of the night before (`scrapy report`'s column says so too).
COLUMNS = ("started (UTC)", "spider", "status", "time", "new", "upd", "emitted", "blocked", "failed", "reason")


def since_time(value: str, now: datetime | None = None) -> datetime:
    """``--since``: an ISO date or time (UTC unless it says otherwise), or ``12h`` / ``7d`` back from now."""
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        try:
            return (now or datetime.now(timezone.utc)) - timedelta(**{"hours" if unit == "h" else "days": amount})
        except OverflowError:  # 99999999d, "everything": before the first date there is, not a traceback
            return datetime.min.replace(tzinfo=timezone.utc)
    try:
        return parse_time(value)
    except ValueError:
        raise UsageError(f"--since: not a date, a time or a span like 7d or 12h: {value!r}") from None


class HistoryUnreadable(Exception):
    """The run history cannot be read (its file is a folder, its folder a file, Redis is down): one line says why."""


def history_records(
    settings: BaseSettings, since: datetime | None, spider: str | None, last: int = 0, per_spider: bool = False
) -> tuple[list[dict[str, Any]], str]:
    """The records of the run history (oldest first; the ``last`` ones, of each spider with ``per_spider``;
    0: all) and where they were read."""
    errors: tuple[type[Exception], ...] = (OSError,)
    if settings.get("REDIS_URL"):
        from redis.exceptions import RedisError

        errors = (OSError, RedisError, ValueError)  # ValueError: a REDIS_URL redis-py cannot read
    try:
        store = history_store(settings)
        return store.records_with_killed(since=since, spider=spider, last=last, per_spider=per_spider), store.where
    except errors as error:
        reason = (error.strerror if isinstance(error, OSError) else None) or " ".join(str(error).split())
        # Not the URL itself: it may hold Redis's password.
        where = getattr(error, "filename", None) or ("in Redis" if settings.get("REDIS_URL") else "")
        raise HistoryUnreadable(f"cannot read the run history{f' {where}' if where else ''}: {reason}") from None


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)):
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _shown(value: Any) -> str:
    """A record's text as one row of a terminal: line breaks and tabs as spaces, and other control
    characters (an escape sequence in a hand-edited record or a spider name given with one) as their
    escapes, which printed as they were cleared the screen or recoloured the rest of the table."""
    text = " ".join(str(value).split())
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def row(record: dict[str, Any]) -> tuple[str, ...]:
    counts = record.get("counts") or {}
    started = _shown(str(record.get("started", ""))[:19].replace("T", " "))
    # One row per run: an error's text may hold line breaks and tabs.
    # An ok run's reason only when it says more than "ok": a run that stopped at its CLOSESPIDER_* limit
    # (its summary line names it, and what it did not fetch comes next run) showed as any other.
    reason = "" if record.get("status") == 0 and record.get("reason", "ok") == "ok" else _shown(record.get("reason", ""))
    return (
        started,
        _shown(record.get("spider", "")),
        _shown(record.get("status_words", "")),
        _duration(record.get("duration_s")),
        str(counts.get("new", "")),
        str(counts.get("updated", "")),
        emitted_cell(counts),
        str(counts.get("blocked", "")),
        str(counts.get("failed", "")),
        reason if len(reason) <= 70 else reason[:69] + "…",
    )


def emitted_cell(counts: dict[str, Any]) -> str:
    """The emitted count, and a killed run's articles the run recovered after it (``12+3``)."""
    recovered = counts.get("recovered")
    emitted = str(counts.get("emitted", ""))
    return f"{emitted}+{recovered}" if isinstance(recovered, int) and recovered > 0 else emitted


def table(records: list[dict[str, Any]]) -> str:
    rows = [COLUMNS, *(row(r) for r in records)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    numeric = {"new", "upd", "emitted", "blocked", "failed"}
    lines = []
    for r in rows:
        cells = [c.rjust(w) if COLUMNS[i] in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Command(CheckedSettings, ScrapyCommand):
    """List the last runs from the run history."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "List the last runs (newest first) with their exit status in words"

    def long_desc(self) -> str:
        return (
            "Read the run history (<BS_STATE_DIR>/runs.jsonl: one record per run of any spider, killed runs "
            "included; with REDIS_URL, every worker's records in Redis) and print the last runs, newest first. "
            "Times are UTC."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-n", "--last", type=int, default=20, metavar="N", help="show the last N runs (default 20; 0: all)")
        parser.add_argument("--since", metavar="WHEN", help="only runs started since WHEN: 2026-11-01, 2026-11-01T06:00, 7d, 12h")
        parser.add_argument("--spider", metavar="NAME", help="only runs of this spider")
        parser.add_argument("--json", action="store_true", help="print the full records as JSON lines, newest first")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("runs takes no arguments")
        assert self.settings is not None
        if opts.last < 0:
            raise UsageError(f"-n {opts.last}: the number of runs to show is 0 (all) or more")
        since = since_time(opts.since) if opts.since else None
        try:
            records, where = history_records(self.settings, since, opts.spider, last=opts.last)
        except HistoryUnreadable as error:
            print(f"error: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        if not records and opts.spider:
            problem = unknown_spider(self.settings, opts.spider)
            if problem:
                raise UsageError(problem)
        records.reverse()
        if opts.json:
            lines = [json.dumps(record, ensure_ascii=False, sort_keys=True) for record in records]
        elif not records:
            # Said as it was asked: "no runs recorded" alone, after `--since 1h`, read as an empty history.
            asked = []
            if opts.spider:
                asked.append(f"--spider {opts.spider}")
            if since is not None:
                asked.append(f"--since {since.isoformat(timespec='seconds')}")
            lines = [f"no runs recorded in {where}" + (f" for {' '.join(asked)}" if asked else "")]
        else:
            lines = [table(records)]
        try:
            for line in lines:
                print(line)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader took what it wanted (`scrapy runs --json | head -1`): no traceback, and none
            # from the interpreter flushing stdout again at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        # The table is what was asked for: lost (stdout closed, a full disk) is no run of `runs` that worked.
        lost = stdout_lost(self.closed_streams)
        if lost:
            print(f"error: {lost}; the runs were read but not shown", file=sys.stderr)
            self.exitcode = 1
