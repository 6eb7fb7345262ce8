"""The `-s` and `-a` checks of `scrapy crawl`, for the project's other commands: a name no setting has (a typo of a
``BS_`` setting, or a name not in upper case), a value a setting cannot take, arguments a spider refuses."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.utils.conf import arglist_to_dict

from crawler.distributed import adopt_host_settings, unread_settings_problem
from crawler.stdio import guard_standard_streams


def unknown_setting_problem(name: str, known: Collection[str]) -> str | None:
    """What is wrong with ``-s NAME=…`` for a name no setting has: a ``BS_`` name the project does not
    have (a typo: the command went on with the default, without a word), or a known name not in upper case.

    Other names may be settings of one's own (read by one's own components), as in any Scrapy project.
    """
    if name in known:
        return None
    upper = name.upper()
    if upper in known:
        return f"-s {name}=…: setting names are upper-case; did you mean {upper}?"
    if not upper.startswith("BS_"):
        return None
    close = difflib.get_close_matches(upper, sorted(k for k in known if k.startswith("BS_")), n=1, cutoff=0.7)
    hint = f"did you mean {close[0]}?" if close else "see the README's Settings table"
    return f"-s {name}=…: no setting of the project has this name; {hint}"


def empty_arrays_as_objects(opts: argparse.Namespace, settings: BaseSettings) -> None:
    """``-s FEEDS=[]`` read as ``FEEDS={}``: no feed, as a user writing it means (the crawl's own "no output"
    refusal, exit 6, as round 9 made it), not a value Scrapy 2.13 cannot lay over the settings (a
    traceback). Only FEEDS: ``ITEM_PIPELINES=[]`` would run with no pipeline, and is refused."""
    pairs = getattr(opts, "set", None) or []
    for index, pair in enumerate(pairs):
        name, equals, value = str(pair).partition("=")
        if equals and name == "FEEDS" and value.strip() == "[]" and isinstance(settings.get(name), (BaseSettings, dict)):
            pairs[index] = "FEEDS={}"


def object_setting_problem(given: Mapping[str, Any], settings: BaseSettings) -> str | None:
    """What is wrong with a ``-s`` value for a setting that holds a JSON object (``FEEDS``,
    ``ITEM_PIPELINES``): a value that is JSON but no object (``[]``, ``3``, ``"x"``); None when none is.

    Checked before Scrapy lays the ``-s`` values over the settings: Scrapy 2.13 calls ``.items()`` on the
    parsed value (``-s FEEDS=[]`` an AttributeError traceback, exit 1), 2.19 unpacks a list's elements
    (``-s FEEDS=[1]`` a TypeError). Nothing (``-s FEEDS=``, ``null``) is Scrapy's own no value.
    """
    for name, value in given.items():
        if not isinstance(value, str) or not isinstance(settings.get(name), (BaseSettings, dict)) or not value.strip():
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            continue  # Scrapy's own usage error, or setting_problems() says so
        if parsed is not None and not isinstance(parsed, dict):
            kind = {list: "a JSON array", str: "a JSON string", bool: "true or false"}.get(type(parsed), "a number")
            example = ' like {"out.jsonl": {"format": "jsonlines"}}' if name == "FEEDS" else ""
            return f"-s {name}={value}: {name} takes a JSON object{example}, not {kind}"
    return None


def check_setting_names(settings: BaseSettings, opts: argparse.Namespace, before: BaseSettings) -> None:
    """Raise :class:`UsageError` for the first ``-s`` (or ``-L``) that ``scrapy crawl`` refuses: a name no
    setting has, or a value the setting cannot take (``before``: the settings as they were before ``-s``).

    For the commands that read the settings without running a spider (``runs``, ``report``, ``redisclear``,
    ``merge``, ``parse``): ``redisclear --seen -s BS_REDIS_PREFX=test`` deleted the seen-store of the default
    prefix, and a value ``crawl`` refuses in one line (``-s LOG_LEVEL=debug``, a ``BS_MIN_FIELD_COVERAGE``
    that is no JSON object) was a traceback here.
    """
    # crawl.py imports this module; its checks are the ones every command shares.
    from crawler.commands.crawl import json_lists, setting_problems

    try:
        given = arglist_to_dict(getattr(opts, "set", None) or [])
    except ValueError:
        return  # Scrapy's own usage error
    if getattr(opts, "loglevel", None):
        given["LOG_LEVEL"] = opts.loglevel  # -L is -s LOG_LEVEL=
    replaced = {name: before.get(name) for name in given}
    json_lists(given, replaced, settings)
    problems = setting_problems(given, replaced, settings, known={str(name) for name in before})
    if problems:
        raise UsageError(next(iter(problems.values())))


def repeated_argument_problem(arguments: Any) -> str | None:
    """Why ``-a`` arguments as typed (Scrapy's list of ``NAME=VALUE``) are refused for a name given twice
    with two values; None when none is. Scrapy keeps the last: ``-a url=A -a url=B`` fetched B alone,
    ``-a sections=… -a sections=…`` walked one section, with exit 0."""
    if not isinstance(arguments, list):
        return None
    values: dict[str, str] = {}
    for argument in arguments:
        name, equals, value = str(argument).partition("=")
        if not equals:
            continue  # Scrapy's own usage error
        if name in values and values[name] != value:
            several = {"url": " (several URLs: -a urls=URL,URL)", "urls": " (several: one comma-separated list)", "sections": " (several: one comma-separated list)"}
            return (
                f"-a {name}=… is given twice ({values[name]!r}, then {value!r}): a spider argument takes one value, and only "
                f"the last would be used{several.get(name, '')}"
            )
        values[name] = value
    return None


# Settings naming a local file or folder (FEEDS names them by its keys).
PATH_SETTINGS = ("BS_STATE_DIR", "LOG_FILE", "JOBDIR", "BS_DEFAULT_FEED", "BS_REDIS_DEFAULT_FEED", "HTTPCACHE_DIR")


def expand_home(settings: BaseSettings) -> None:
    """Read a path setting (and an output of ``FEEDS``) beginning ``~`` as in the home folder. cron's
    ``/bin/sh`` and systemd leave ``-s BS_STATE_DIR=~/bs-state`` as it is, and no shell expands the ``~`` of
    ``--logfile=~/logs/latest.log`` or ``--output=~/out.jsonl``: the run made a folder named ``~`` in its
    working directory (the seen-store there), which ``rm -rf ~`` then cleans up."""
    for name in PATH_SETTINGS:
        value = settings.get(name)
        if isinstance(value, str) and value.startswith("~"):
            settings.set(name, os.path.expanduser(value), priority=settings.getpriority(name) or "project")
    try:
        feeds = settings.getdict("FEEDS")
    except (ValueError, TypeError):
        return  # the settings check says so
    if any(isinstance(uri, str) and uri.startswith("~") for uri in feeds):
        expanded = {os.path.expanduser(uri) if isinstance(uri, str) else uri: options for uri, options in feeds.items()}
        settings.set("FEEDS", expanded, priority=settings.getpriority("FEEDS") or "project")


def file_to_write(name: str, given: str) -> Path:
    """The file a command writes (``merge``'s OUTPUT, ``report -o``), ``~`` the home folder; :class:`UsageError`
    for a name that is no file (empty: a variable unset in a crontab; ``.``, ``/``), which was a ValueError
    traceback, or that names a folder (``merged/``)."""
    path = Path(name).expanduser()
    if not name.strip() or path.name in ("", ".", ".."):
        raise UsageError(f"{given} {name!r} names no file; give the file to write")
    if name.endswith(("/", os.sep)):
        # Path() drops the slash: `scrapy merge merged/ …` wrote one file named `merged` (as a feed's `out/`).
        raise UsageError(f"{given} {name!r} names a folder, not a file; give the file's name in it")
    return path


def spider_usage_problem(loader: Any, name: str, arguments: Mapping[str, str], settings: BaseSettings) -> str | None:
    """Why the spider ``name`` refuses these ``-a`` arguments (what ``scrapy crawl`` says in its ``error:``
    line); None when it takes them. :class:`UsageError` when there is no such spider."""
    try:
        spider_class = loader.load(name)
    except KeyError:
        raise UsageError(f"Spider not found: {name}") from None
    check = getattr(spider_class, "check_usage", None)
    if check is None:
        return None
    try:
        check(arguments, settings)
    except UsageError as error:
        return str(error)
    return None


def unknown_spider(settings: BaseSettings, name: str) -> str | None:
    """``--spider NAME`` of ``runs`` and ``report`` for a spider the project does not have: why, with the
    nearest name; None for one it has. (Found no runs, a typo read as "no runs recorded".)"""
    from scrapy.utils.misc import load_object

    names = sorted(load_object(settings.get("SPIDER_LOADER_CLASS")).from_settings(settings.frozencopy()).list())
    if name in names:
        return None
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]}?" if close else f"the spiders are {', '.join(names)}"
    return f"--spider {name}: no spider of the project has that name, nor any recorded run; {hint}"


if TYPE_CHECKING:
    from scrapy.commands import ScrapyCommand as _Command
else:
    # Scrapy takes every ScrapyCommand subclass of this package's modules for a command of its own.
    _Command = object


class CheckedSettings(_Command):
    """Mixin of the project's commands, first among their bases: their ``-s`` names and values are
    checked as ``scrapy crawl`` checks them, one ``error:`` line and exit 2 instead of a traceback."""

    closed_streams: frozenset[int] = frozenset()  # the standard descriptors the process was started without

    def say_if_output_lost(self, what: str) -> None:
        """For a command whose output is its work: one ``error:`` line and exit 1 when what it printed
        reached nobody (stdout closed, a full disk); a reader that took what it wanted and left is no loss."""
        from crawler.stdio import stdout_lost

        lost = stdout_lost(self.closed_streams)
        if lost:
            print(f"error: {lost}; {what}", file=sys.stderr)
            self.exitcode = 1

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        # First, as `crawl` does: with stdout closed or on a full disk, `runs` and `report` ended in an
        # AttributeError or OSError traceback, exit 1, whatever they had done.
        self.closed_streams = guard_standard_streams()
        before = self.settings.copy()
        repeated = repeated_argument_problem(getattr(opts, "spargs", None))
        empty_arrays_as_objects(opts, self.settings)
        try:
            given = arglist_to_dict(getattr(opts, "set", None) or [])
        except ValueError:
            given = {}  # Scrapy's own usage error
        wrong = object_setting_problem(given, self.settings)
        if wrong:
            raise UsageError(wrong)
        super().process_options(args, opts)
        check_setting_names(self.settings, opts, before)
        if repeated:
            raise UsageError(repeated)
        expand_home(self.settings)
        problem = adopt_host_settings(self.settings)
        if problem:
            raise UsageError(problem)
        # The add-ons' settings `crawl` refuses: `parse` and `check` run the add-ons, where a SPLASH_URL
        # without its scheme or SPIDERMON_ENABLED=maybe was a traceback and exit 1; `runs` and `report`
        # read Redis with REDIS_PARAMS, where one that is no JSON object was exit 1.
        from crawler.monitoring.heartbeat import heartbeat_problem
        from crawler.monitoring.spidermon import spidermon_problem
        from crawler.monitoring.verdict import EXIT_USAGE
        from crawler.spiders.base import base_url_problem
        from crawler.splash import splash_problem

        def base_url(settings: BaseSettings) -> str | None:
            # `parse -s BS_BASE_URL=http://127.0.0.1:99999` was taken: the page fetched, every link of it
            # judged against a site no socket reaches.
            return base_url_problem(settings.get("BS_BASE_URL"))

        for check in (base_url, unread_settings_problem, splash_problem, heartbeat_problem, spidermon_problem):
            problem = check(self.settings)
            if problem:
                # As `crawl` (and `redisclear`, which checked REDIS_PARAMS itself) says it: one line, exit 2.
                print(f"error: {problem}", file=sys.stderr)
                sys.exit(EXIT_USAGE)
