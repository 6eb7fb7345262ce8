"""``scrapy report -o report.html``: the run history as one self-contained HTML file with charts."""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.runs import HistoryUnreadable, history_records, since_time
from crawler.commands.settingnames import CheckedSettings, file_to_write, unknown_spider


class Command(CheckedSettings, ScrapyCommand):
    """Write the run report."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "-o report.html [options]"

    def short_desc(self) -> str:
        return "Write the run history as one HTML file with charts (opens without network)"

    def long_desc(self) -> str:
        return (
            "Read the run history (<BS_STATE_DIR>/runs.jsonl) and write one self-contained HTML file: per spider, "
            "exit statuses, articles new/updated, field coverage per field, block and failure shares and run "
            "duration over the runs, and the latest run's details. Needs the [report] extra (matplotlib)."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", default="report.html", help="the HTML file to write (default report.html)")
        parser.add_argument("-n", "--last", type=int, default=500, metavar="N", help="the last N runs of each spider (default 500; 0: all)")
        parser.add_argument("--since", metavar="WHEN", help="only runs started since WHEN: 2026-11-01, 7d, 12h")
        parser.add_argument("--spider", metavar="NAME", help="only runs of this spider")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("report takes no arguments")
        if opts.last < 0:
            raise UsageError(f"-n {opts.last}: the number of runs to read is 0 (all) or more")
        assert self.settings is not None
        try:
            from crawler.monitoring.report import render

            import matplotlib  # noqa: F401
        except ImportError:
            raise UsageError("the report needs matplotlib: pip install 'bs-crawler[report]'") from None
        since = since_time(opts.since) if opts.since else None
        try:
            records, _ = history_records(self.settings, since, opts.spider, last=opts.last, per_spider=True)
        except HistoryUnreadable as error:
            return self.fail(str(error))
        if not records and opts.spider:
            problem = unknown_spider(self.settings, opts.spider)
            if problem:
                raise UsageError(problem)
        thresholds = {k: float(v) for k, v in self.settings.getdict("BS_MIN_FIELD_COVERAGE").items()}
        if opts.output == "-":
            # The standard output, as `crawl -O -` (`scrapy report -o - | mail …`); it wrote a file named `-`.
            return self.print_page(render(records, thresholds), len(records))
        output = file_to_write(opts.output, "-o")  # (--output=~/report.html: no shell expands that ~)
        page = render(records, thresholds)
        partial = output.with_name(output.name + ".partial")
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(page, encoding="utf-8")
            os.replace(partial, output)
        except OSError as error:
            # A folder where the file should be, a file where its folder should be, a full disk:
            # one line, and the report that was there before is left as it was.
            if partial.is_file():
                partial.unlink()
            folder = isinstance(error, (FileExistsError, NotADirectoryError)) and not output.parent.is_dir()
            why = "its folder is not a directory" if folder else error.strerror or str(error)
            return self.fail(f"cannot write the report {output}: {why}")
        print(f"{len(records)} runs written to {output}")

    def print_page(self, page: str, runs: int) -> None:
        try:
            sys.stdout.write(page)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader took what it wanted (`| head`): no traceback, and none from the interpreter
            # flushing stdout again at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        self.say_if_output_lost("the report was not written")
        if not self.exitcode:
            # On stderr: the page alone is the output.
            print(f"{runs} runs written to the standard output", file=sys.stderr)

    def fail(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = 1
