"""``scrapy redisclear RUN... [--seen]``: delete the Redis keys of distributed runs (queue, duplicate filter, workers)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.settingnames import CheckedSettings

from crawler.distributed import (
    WORKER_STALE_SECONDS,
    connect,
    enabled,
    key_prefix,
    redacted,
    redis_problem,
    run_keys,
    safe_name,
    unread_settings_problem,
)
from crawler.monitoring.verdict import EXIT_LOCKED, EXIT_REDIS, EXIT_USAGE

_BATCH = 1000


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Command(CheckedSettings, ScrapyCommand):
    """Delete a run's keys; with ``--seen`` the seen-store's too."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[RUN ...] [--seen] [--force] [--prefix PREFIX]"

    def short_desc(self) -> str:
        return "Delete distributed runs' keys in Redis (and with --seen, the seen-store)"

    def long_desc(self) -> str:
        return (
            "Delete the request queue, duplicate filter and worker set of each RUN (a run is named after "
            "its spider unless BS_REDIS_RUN was given) in the Redis at REDIS_URL, under BS_REDIS_PREFIX. "
            "Refuses while workers of a run are alive, unless --force. --seen also deletes the seen-store, "
            "so the next run fetches and emits every article again."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--prefix", help="key prefix (default: BS_REDIS_PREFIX)")
        parser.add_argument("--seen", action="store_true", help="also delete the seen-store of the prefix")
        parser.add_argument("--force", action="store_true", help="delete even while workers of a run are alive")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        settings = self.settings
        if not args and not opts.seen:
            raise UsageError("name the run(s) to clear, or give --seen")
        if not enabled(settings):
            print("error: REDIS_URL is not set (-s REDIS_URL=redis://HOST:PORT/DB)", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        problem = unread_settings_problem(settings)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        problem = redis_problem(settings)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = EXIT_REDIS
            return
        prefix = safe_name(opts.prefix, "bs") if opts.prefix else key_prefix(settings)
        client = connect(settings)
        now = int(client.time()[0])
        patterns = []
        for run in args:
            if not safe_name(run, ""):
                raise UsageError(f"not a run name: {run!r}")
            keys = run_keys(prefix, safe_name(run, ""))
            live = [_text(w) for w in client.zrangebyscore(keys.workers, now - WORKER_STALE_SECONDS, "+inf")]
            if live and not opts.force:
                print(f"error: run {run!r} has live workers ({', '.join(live)}); stop them first, or give --force", file=sys.stderr)
                self.exitcode = EXIT_LOCKED
                return
            patterns.append(keys.pattern)
        if opts.seen and not opts.force:
            # Every run of the prefix uses the seen-store: a live worker's claims and unconfirmed articles
            # deleted under it are articles it writes but never marks seen, so the next run emits them again.
            live = sorted(
                f"{_text(key).removeprefix(prefix + ':run:').removesuffix(':workers')}/{_text(worker)}"
                for key in client.scan_iter(match=f"{prefix}:run:*:workers", count=_BATCH, _type="zset")
                for worker in client.zrangebyscore(key, now - WORKER_STALE_SECONDS, "+inf")
            )
            if live:
                print(f"error: the seen-store of prefix {prefix!r} is in use by live workers ({', '.join(live)}); "
                      "stop them first, or give --force", file=sys.stderr)
                self.exitcode = EXIT_LOCKED
                return
        if opts.seen:
            patterns += [f"{prefix}:seen:*", f"{prefix}:seen-ids", f"{prefix}:seen-times", f"{prefix}:seen-pruned",
                         f"{prefix}:pending:*", f"{prefix}:feeds:*", f"{prefix}:claim:*", f"{prefix}:gone:*",
                         # (The store's format goes with it: an emptied store is any release's.)
                         f"{prefix}:format"]
        deleted = 0
        for pattern in patterns:
            batch: list[bytes] = []
            for key in client.scan_iter(match=pattern, count=_BATCH):
                batch.append(key)
                if len(batch) == _BATCH:
                    deleted += int(client.unlink(*batch))
                    batch.clear()
            if batch:
                deleted += int(client.unlink(*batch))
        client.close()
        print(f"deleted {deleted} key(s) matching {' '.join(patterns)} at {redacted(str(settings.get('REDIS_URL')))}")
