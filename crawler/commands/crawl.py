"""``scrapy crawl`` that checks spider arguments, the output and the seen-store first, keeps runs of one
spider apart, and exits with the run's verdict so that cron can trust the status."""

from __future__ import annotations

import argparse
import atexit
import codecs
import errno
import fcntl
import difflib
import io
import json
import logging
import logging.handlers
import math
import os
import re
import signal
import sys
import warnings
from collections.abc import Collection, Mapping
from dataclasses import fields as dataclass_fields
from typing import Any
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit
from xml.etree import ElementTree

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, UsageError
from scrapy.exporters import XmlItemExporter
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.settings import default_settings as scrapy_default_settings
from scrapy.utils.conf import arglist_to_dict, feed_complete_default_values_from_settings
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.project import data_path
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import stats as stat
from crawler.runstop import stop_run
from crawler import settings as project_settings
from crawler.commands.settingnames import empty_arrays_as_objects, expand_home, object_setting_problem, repeated_argument_problem, unknown_setting_problem
from crawler.distributed import WORKER_NAME_TAKEN, adopt_host_settings, enabled, redacted, redis_problem, unread_settings_problem, url_problem, worker_name
from crawler.distributed.namelock import WorkerNameLock
from crawler.extraction.article import Article, Image, Link, MarketQuote, RelatedArticle
from crawler.jobdir import damage as jobdir_damage
from crawler.jobdir import settle as jobdir_settle
from crawler.incremental.exporters import writes_all_of_unicode
from crawler.incremental.feedstorage import DurableFileFeedStorage, read_back, unwritable_feeds
from crawler.incremental.lock import run_lock
from crawler.incremental.receipts import RECEIPTS_FOLDER
from crawler.incremental.sharing import WRITTEN_IN_STATE_DIR, share_with_group, unwritable_state_file
from crawler.incremental.sitewait import site_wait_problem
from crawler.incremental.store import StateError, backend, state_dir
from crawler.monitoring.heartbeat import heartbeat_problem, ping_refused
from crawler.monitoring.history import RunHistory, history_dir, record_refused
from crawler.monitoring.spidermon import spidermon_problem
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_LOCKED, EXIT_OUTPUT, EXIT_REDIS, EXIT_STATE, EXIT_USAGE
from crawler.splash import splash_problem
from crawler.stdio import STDOUT, guard_standard_streams
from crawler.spiders.base import base_url_problem, overwrite_stores_empty

logger = logging.getLogger(__name__)
# finish_reason of the record of a run that failed before its spider opened.
FAILED_TO_START = "failed to start"


# Scrapy's settings that it reads as decimals although their default is a whole number (180, 60, 0):
# every other whole-number default is read with getint(), which a decimal ends in a traceback.
SCRAPY_DECIMALS = frozenset({"DOWNLOAD_TIMEOUT", "DOWNLOAD_DELAY", "DNS_TIMEOUT", "CLOSESPIDER_TIMEOUT"})
# Scrapy's switch whose default is the whole number 1 but that it reads with getbool(): judged as a whole
# number, "False" (a settings module reading os.environ) was refused for a value Scrapy takes.
SCRAPY_SWITCHES = frozenset({"TELNETCONSOLE_ENABLED"})
# Scrapy's settings that 0 turns into a run doing nothing: no request to the site ever leaves (the
# run waits for ever), or no response is ever parsed (every article found is lost). (From Scrapy 2.14
# on, CONCURRENT_REQUESTS=0 is no limit at all instead, which no crawl of the site should be.)
# BS_FEED_MAX_PAGES=0 counts the first page of a feed past its bound: it was read all the same, with a
# WARNING at each feed that it was read "0 pages deep" (1 is a feed's first page alone).
AT_LEAST_ONE = frozenset({"CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS", "BS_FEED_MAX_PAGES"})
# Text settings whose default is None that are still checked when given.
TEXT_WITHOUT_DEFAULT = frozenset({"REDIS_URL"})
# Socket timeouts, where 0 makes the socket non-blocking: every connection fails at once ("Operation
# now in progress"), and a Redis that answers well is reported unreachable.
# BS_FEED_CLOSE_TIMEOUT=0 gives the feeds no time to close: every run "could not write its output" (exit 6).
# BS_SPIDERMON_SMTP_TIMEOUT=0 gives no mail time to be sent.
# DOWNLOAD_TIMEOUT=0 is no "no timeout" (Scrapy documents none): its download timeout middleware then sets
# none, and the download handler falls back to a limit of its own (10 s in HTTP11DownloadHandler's agent),
# so every slow page failed at a time no setting names.
# BS_RATE_LIMIT_WAIT=0 asked a site that had answered 429 again at once, BS_RATE_LIMIT_RETRIES times (0 doubled
# is 0), and closed the run a moment later: no wait at all where the site asked for one.
ABOVE_ZERO = frozenset({"BS_RATE_LIMIT_WAIT", "BS_REDIS_TIMEOUT", "BS_HEARTBEAT_TIMEOUT", "BS_FEED_CLOSE_TIMEOUT", "BS_SPIDERMON_SMTP_TIMEOUT", "DOWNLOAD_TIMEOUT"})
# Decimal settings that are no span of time (rates, shares) above this are no real value.
MAX_DECIMAL = 1e12
# Spans of time: at most a century, in the setting's unit. A longer one overflowed where it met a date,
# a socket or a thread: BS_SEEN_RETENTION_DAYS=1000000 (meant as "for ever", which is 0) took the pruning
# before year 1 and the run never ended; BS_FUTURE_DATE_SKEW=9e11 made every article's date "unreadable"
# (exit 5); BS_REDIS_TIMEOUT=3e10 was the socket's traceback (time_t). 1e12 s was the bound, and hours and
# days were judged as seconds.
MAX_SPAN_SECONDS = 100 * 365.25 * 24 * 3600
# The unit of a span that is not in seconds.
SPAN_UNITS = {"BS_SEEN_RETENTION_DAYS": (86400, "days"), "BS_GONE_RECHECK_HOURS": (3600, "hours")}
# The spans of time (seconds, but for SPAN_UNITS).
SPANS = frozenset({
    *SPAN_UNITS, *SCRAPY_DECIMALS, "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY", "BS_FUTURE_DATE_SKEW",
    "BS_CDN_STALE_SECONDS", "BS_FEED_CLOSE_TIMEOUT", "BS_RETRY_AFTER_MAX", "BS_RATE_LIMIT_WAIT", "BS_SPLASH_WAIT",
    "BS_SPLASH_TIMEOUT", "BS_SPLASH_RESTART_WAIT", "BS_RUN_HISTORY_CHECKPOINT", "BS_HEARTBEAT_TIMEOUT",
    "BS_PROGRESS_INTERVAL", "BS_SPIDERMON_SMTP_TIMEOUT", "BS_REDIS_IDLE_SECONDS", "BS_REDIS_TIMEOUT",
})
# Whole numbers past a signed 64-bit integer: Redis refused BS_REDIS_RUNS_KEPT's LTRIM at every run's end
# (no record in Redis, a WARNING each time), and C code refuses them where Python does not.
MAX_WHOLE = 2**63 - 1
# Settings naming a text encoding: an unknown one fails the log file at start-up, or every line of
# the output (each article then lost to an error, run after run).
ENCODING_SETTINGS = frozenset({"FEED_EXPORT_ENCODING", "LOG_ENCODING"})
# Scrapy's settings whose negative values it documents: FEED_EXPORT_INDENT below 0 puts each item on a
# line of its own, as 0 does.
NEGATIVE_DOCUMENTED = frozenset({"FEED_EXPORT_INDENT"})
# The project's settings a negative value means something for (-1: no limit).
NEGATIVE_MEANS_SOMETHING = frozenset({"BS_MAX_FAILED_SOURCES"})


# Dict settings Scrapy builds its components from (import path → order, None switching one off)...
COMPONENT_DICTS = frozenset({"EXTENSIONS", "ITEM_PIPELINES", "ADDONS", "SPIDER_CONTRACTS"})
# ... and those that map names to import paths (None switching one off).
PATH_DICTS = frozenset({"FEED_EXPORTERS", "FEED_STORAGES", "DOWNLOAD_HANDLERS"})
# List settings of import paths whose default, empty, cannot tell so.
PATH_LISTS = frozenset({"BS_SPIDERMON_FAILED_ACTIONS", "BS_SPIDERMON_FINISHED_ACTIONS"})
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
# Object settings that take more than an import path, as Scrapy documents them: an empty value (its
# None: the default reactor, start requests queued as any other) and, for the referrer policy, a
# policy's standard name ("no-referrer"), which the middleware reads itself. They were refused (exit 2).
EMPTY_MEANS_NONE = frozenset({"TWISTED_REACTOR", "SCHEDULER_START_DISK_QUEUE", "SCHEDULER_START_MEMORY_QUEUE"})
POLICY_NAMES_TOO = frozenset({"REFERRER_POLICY"})


def _load_problem(given: str, path: Any) -> str | None:
    """Why ``path`` (a class or function named by a setting) cannot be loaded; None when it can.

    Components load them when the crawler is made, after Scrapy's banner: a typo there was a
    traceback, with nothing in the run history and no ping.
    """
    if not isinstance(path, str):
        return None  # a class itself, set in settings.py
    try:
        # Before logging is set up a module's import-time warning (Spidermon's e-mail action warns
        # about scrapy.mail) would go to stderr beside the one `error:` line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = load_object(path)
    except Exception as error:  # noqa: BLE001 - importing someone's module may raise anything; any is one line
        return f"{given}: {path} cannot be loaded ({type(error).__name__}: {' '.join(str(error).split())})"
    if isinstance(loaded, ModuleType):
        # The module of the class meant (`crawler.stats` for its collector): a TypeError or AttributeError
        # traceback when the component was made.
        return f"{given}: {path} is a module; name the class in it (module.Class)"
    return None


# What a class BS_SEEN_STORE names must have (crawler.incremental.store.SeenStoreBackend).
SEEN_STORE_METHODS = ("open", "check", "lock_name")


def _names_objects(default: Any) -> bool:
    """Whether a text default is the import path of a class or function (what a value for it must be too)."""
    if not isinstance(default, str) or not _DOTTED.match(default):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = load_object(default)
    except Exception:  # noqa: BLE001 - an optional dependency missing: not judged
        return False
    # A module's name (NEWSPIDER_MODULE, COMMANDS_MODULE) is no object path, whatever it loads as.
    return callable(loaded) and not isinstance(loaded, ModuleType)


def _object_problem(name: str, given: str, value: Any) -> str | None:
    """What is wrong with a dict or list setting's import paths (keys of a component dict, values of a path dict)."""
    if isinstance(value, dict) and (name in COMPONENT_DICTS or name.endswith("_MIDDLEWARES")):
        for path, order in value.items():
            if order is not None and (isinstance(order, bool) or not isinstance(order, (int, float))):
                return f"{given}: the order of {path} must be a number, or null to switch it off"
            problem = _load_problem(given, path)
            if problem:
                return problem
    elif isinstance(value, dict) and name in PATH_DICTS:
        for path in value.values():
            problem = _load_problem(given, path) if path is not None else None
            if problem:
                return problem
    elif isinstance(value, list) and name in PATH_LISTS:
        for path in value:
            problem = _load_problem(given, str(path).strip()) if str(path).strip() else None
            if problem:
                return problem
    return None


def _text_setting_problem(name: str, given: str, value: Any) -> str | None:
    """What is wrong with the value of a text setting Scrapy would fail on at start-up; None when nothing."""
    if name == "LOG_LEVEL" and not isinstance(value, int) and not isinstance(logging.getLevelName(str(value)), int):
        # Scrapy hands it to logging as it is, which knows only the upper-case names.
        return f"{given} is not a log level: DEBUG, INFO, WARNING, ERROR or CRITICAL"
    if name == "REDIS_URL" and value:
        problem = url_problem(str(value))
        if problem:
            return f"-s REDIS_URL={redacted(str(value))!r} {problem}"
    if name in ENCODING_SETTINGS and value:
        try:
            codecs.lookup(str(value))
        except LookupError:
            return f"{given} is not a known text encoding (utf-8, say)"
    return None


def _list_problem(name: str, given: str, default: list[Any] | tuple[Any, ...], settings: BaseSettings) -> str | None:
    """What is wrong with a list setting's value (its text split at commas, or the JSON array it was given as)."""
    value = settings.get(name)
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        # json_lists() made a JSON array a list already: this one is no JSON array.
        return f"{given} is neither a JSON array nor a comma-separated list"
    entries = settings.getlist(name)
    if default and all(isinstance(entry, int) and not isinstance(entry, bool) for entry in default):
        # Scrapy reads these with int() where it builds the component (RETRY_HTTP_CODES): a traceback.
        for entry in entries:
            if isinstance(entry, bool) or not isinstance(entry, (int, str)) or not str(entry).strip().lstrip("-").isdigit():
                return f"{given} is not a list of whole numbers (500,503 or [500, 503])"
    elif default and all(isinstance(entry, str) for entry in default):
        if any(not isinstance(entry, str) for entry in entries):
            return f"{given} is not a list of text (a,b or [\"a\", \"b\"])"
    return None


def _whole_number(value: Any) -> int | None:
    """``value`` as the whole number Scrapy's ``getbool`` would read it as (``int(value)``); None when it reads none."""
    if isinstance(value, bool):
        return None
    try:
        return int(value) if isinstance(value, (int, str)) else None
    except ValueError:
        return None


def setting_problem(name: str, default: Any, settings: BaseSettings, raw: Any = None) -> str | None:
    """What is wrong with a ``-s NAME=VALUE``, judged by the kind of the setting's default; None when nothing.

    Components read their settings when the crawler is made, after Scrapy's banner: a value they cannot
    read would end the run there in a traceback, with nothing in the run history. ``raw``: the value as
    it was typed, for the message (Scrapy has made a JSON object for a component dict a settings object).
    """
    given = f"-s {name}={(settings.get(name) if raw is None else raw)!r}"
    if name in SCRAPY_SWITCHES:
        default = bool(default)
    # Read as their default's kind (a decimal default for seconds), but for SCRAPY_DECIMALS.
    whole = isinstance(default, int) and name not in SCRAPY_DECIMALS
    if isinstance(default, bool):
        # (As Scrapy's getbool reads it: not the yes, no, on or off `-a fresh=` takes.)
        kind = "true or false (a switch is 1 or 0, true or false)"
        read: Any = settings.getbool
        # But getbool reads any whole number as bool(int(value)): `-s BS_FRESH=-1` (-1 being "off" for
        # other settings) or `=2` was on, and a fresh run emitted every article it had delivered again.
        if _whole_number(settings.get(name)) not in (None, 0, 1):
            return f"{given} is not {kind}"
    elif isinstance(default, (dict, BaseSettings)):
        kind, read = "a JSON object", settings.getdict
    elif isinstance(default, (list, tuple)):
        return _list_problem(name, given, default, settings) or _object_problem(name, given, settings.getlist(name))
    elif _names_objects(default):
        value = settings.get(name)
        if (name in EMPTY_MEANS_NONE and not value) or (name in POLICY_NAMES_TOO and isinstance(value, str) and value.strip() and not _DOTTED.match(value.strip())):
            return None
        problem = _load_problem(given, value)
        if problem is None and name == "BS_SEEN_STORE" and isinstance(value, str):
            # Another object of the store's module (its function, its error) was an AttributeError
            # traceback as the run lock was taken, exit 1, the run not recorded.
            store = load_object(value)
            if not isinstance(store, type) or not all(callable(getattr(store, method, None)) for method in SEEN_STORE_METHODS):
                return f"{given}: {value} is no seen-store class (one with {', '.join(SEEN_STORE_METHODS)}, as {default})"
        return problem
    elif isinstance(default, (int, float)):
        kind, read = ("a whole number", settings.getint) if whole else ("a number", settings.getfloat)
        typed = settings.get(name)
        if whole and isinstance(typed, float) and not typed.is_integer():
            # A decimal written in a settings module is no text getint() refuses: int() cut it down in silence.
            return f"{given} is not a whole number"
    else:
        return _text_setting_problem(name, given, settings.get(name))
    try:
        value = read(name)
    except (ValueError, TypeError):
        return f"{given} is not {kind}"
    if isinstance(value, dict):
        problem = _object_problem(name, given, value)
        if problem:
            return problem
        if name == "BS_MIN_FIELD_COVERAGE":
            # A field the item does not have is never missing: its alarm would never go off.
            known = {field.name for field in dataclass_fields(Article)}
            unknown = sorted(str(field) for field in value if field not in known)
            if unknown:
                return f"{given}: {', '.join(unknown)} is no field of the article (see the README's item table)"
            for field, minimum in value.items():
                if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not 0 <= minimum <= 1:
                    return f"{given}: the coverage of {field} must be a share from 0 to 1"
        return None
    if isinstance(value, bool):
        return None
    # float() reads "nan" and "inf": NaN passes every comparison below (a share of NaN never fails a
    # run) and timedelta() or a socket refuses both, in a traceback after the banner.
    if not math.isfinite(value):
        return f"{given} is not a finite number"
    per, unit = SPAN_UNITS.get(name, (1, "s"))
    if name in SPANS and abs(value) > MAX_SPAN_SECONDS / per:
        never = "; 0 keeps every article for ever" if name == "BS_SEEN_RETENTION_DAYS" else ""
        return f"{given} is too long: at most {MAX_SPAN_SECONDS / per:,.0f} {unit} (100 years){never}"
    if isinstance(value, float) and abs(value) > MAX_DECIMAL:
        return f"{given} is too large (at most {MAX_DECIMAL:.0e})"
    if isinstance(value, int) and abs(value) > MAX_WHOLE:
        return f"{given} is too large (at most {MAX_WHOLE})"
    # Negative limits, delays and counts mean nothing (priorities may be negative; a setting whose
    # default is negative, BS_MAX_FAILED_SOURCES=-1, gives the negative value a meaning).
    if value < 0 <= default and "PRIORITY" not in name and name not in NEGATIVE_DOCUMENTED:
        return f"{given} must not be negative"
    if name in AT_LEAST_ONE and value < 1:
        return f"{given} must be at least 1"
    if name in ABOVE_ZERO and value <= 0:
        return f"{given} must be above 0 (seconds)"
    if name == "AUTOTHROTTLE_TARGET_CONCURRENCY" and value <= 0:
        # Scrapy switches AutoThrottle off for it, in one WARNING: the crawl went at full concurrency, no delay.
        return f"{given} must be above 0 (the requests in parallel AutoThrottle aims at; AUTOTHROTTLE_ENABLED=False switches it off)"
    if name.startswith("BS_") and name.endswith("_SHARE") and value > 1:
        return f"{given} is a share: from 0 to 1"
    return None


# Settings of a part of the crawler that another setting switches on, and what is off without it.
# Given with -s while that part was off, each was taken without a word and did nothing: no block
# retried through Splash, no shared rate limit on the site, no start ping, no Spidermon action.
SWITCHES = {
    "SPLASH_URL": "no page is rendered through Splash",
    "REDIS_URL": "the run is not distributed",
    "BS_HEARTBEAT_URL": "no monitor is pinged",
    "SPIDERMON_ENABLED": "Spidermon is off",
    "BS_RUN_HISTORY": "no run is recorded",
    "HTTPCACHE_ENABLED": "no page is stored in or served from the HTTP cache",
}
# Switches that are booleans (the others are switched on by any value).
BOOLEAN_SWITCHES = frozenset({"SPIDERMON_ENABLED", "BS_RUN_HISTORY", "HTTPCACHE_ENABLED"})
SWITCHED_BY = {
    **dict.fromkeys(
        ("BS_SPLASH_WAIT", "BS_SPLASH_TIMEOUT", "BS_SPLASH_ON_BLOCK", "BS_SPLASH_MAX_FAILED_SHARE", "BS_SPLASH_RESTART_WAIT"), "SPLASH_URL"
    ),
    # (BS_WORKER_NAME is not among them: it fills the %(worker)s of any run's output name.)
    **dict.fromkeys(
        ("BS_REDIS_RUN", "BS_REDIS_PREFIX", "BS_REDIS_IDLE_SECONDS", "BS_REDIS_TIMEOUT", "BS_REDIS_RUNS_KEPT", "BS_REDIS_DEFAULT_FEED",
         "BS_SITE_MAX_CONCURRENCY", "BS_SITE_MAX_RATE"),
        "REDIS_URL",
    ),
    **dict.fromkeys(("BS_HEARTBEAT_START", "BS_HEARTBEAT_TIMEOUT"), "BS_HEARTBEAT_URL"),
    **dict.fromkeys(("BS_SPIDERMON_FAILED_ACTIONS", "BS_SPIDERMON_FINISHED_ACTIONS", "BS_SPIDERMON_SMTP_TIMEOUT"), "SPIDERMON_ENABLED"),
    **dict.fromkeys(("BS_RUN_HISTORY_CHECKPOINT", "BS_RUN_HISTORY_MAX_BYTES"), "BS_RUN_HISTORY"),
    # HTTPCACHE_IGNORE_MISSING alone, a crawl meant to be served from the cache only, fetched every page from the site.
    **dict.fromkeys(("HTTPCACHE_DIR", "HTTPCACHE_IGNORE_MISSING", "HTTPCACHE_GZIP", "HTTPCACHE_EXPIRATION_SECS"), "HTTPCACHE_ENABLED"),
}


def _read_as(settings: BaseSettings, name: str, kind: Any) -> Any:
    """A setting's value read as its default's kind (``kind``), to tell a value that changes nothing."""
    if isinstance(kind, bool):
        return settings.getbool(name)
    if isinstance(kind, (int, float)):
        return settings.getfloat(name)
    if isinstance(kind, (list, tuple)):
        return [str(entry).strip() for entry in settings.getlist(name) if str(entry).strip()]
    return str(settings.get(name) or "")


def inert_setting_problem(given: Mapping[str, Any], replaced: Mapping[str, Any], settings: BaseSettings) -> str | None:
    """Why a ``-s`` setting would do nothing, its part of the crawler being off (``BS_SPLASH_ON_BLOCK=1``
    without ``SPLASH_URL``); None when none would. One that changes nothing (``BS_SPLASH_ON_BLOCK=0``, as a
    wrapper script may always pass it) is no request, and is taken."""
    for name in given:
        switch = SWITCHED_BY.get(name)
        if switch is None:
            continue
        try:
            on = settings.getbool(switch) if switch in BOOLEAN_SWITCHES else bool(settings.get(switch))
            unchanged = _read_as(settings, name, replaced.get(name)) == _read_as(BaseSettings({name: replaced.get(name)}), name, replaced.get(name))
        except (ValueError, TypeError):
            continue  # a value no setting takes: the other checks name it
        if not on and not unchanged:
            return f"-s {name}={given[name]!r} does nothing without {switch} ({SWITCHES[switch]}); give {switch} too, or leave {name} out"
    return None


def settings_module_problem(settings: BaseSettings, given: Collection[str]) -> str | None:
    """What is wrong with a ``BS_`` value or one of Scrapy's own that the project's settings module sets
    (``crawler/settings.py`` edited, or a module of one's own importing it), checked as a ``-s`` value is;
    None when nothing.
    Only ``-s`` values were checked: ``BS_MAX_INVALID_SHARE = 20`` (meant as 20 %) was taken, and never
    failed a run."""
    module = os.environ.get("SCRAPY_SETTINGS_MODULE") or "the settings module"
    for name in sorted(str(key) for key in settings):  # keys are typed wider than str in Scrapy 2.13
        # Of Scrapy's own, the numbers and switches: loading the objects its other settings name would
        # import modules (a handler importing twisted.internet.reactor) before Scrapy installs its reactor.
        scrapy_default = getattr(scrapy_default_settings, name, None)
        ours = name.startswith("BS_")
        if not (ours or isinstance(scrapy_default, (bool, int, float))) or name in given or settings.getpriority(name) != SETTINGS_PRIORITIES["project"]:
            continue
        value = settings.get(name)
        if value is None:
            continue
        if not ours:
            # Scrapy's own, judged as its -s value is (against Scrapy's default's kind): only a -s value was
            # checked, and AUTOTHROTTLE_TARGET_CONCURRENCY = 0 in the module switched AutoThrottle off.
            problem = setting_problem(name, scrapy_default, settings)
            if problem:
                return f"in {module}: {problem.removeprefix('-s ')}"
            continue
        # Judged as the kind of the project's own value (a name it has not: the value's own kind), so that a
        # number written as text is read as a number (a module of one's own reading os.environ: "20" for a
        # share was judged as text, and taken); a number as one whose default is not negative (the setting
        # a negative value means something for, BS_MAX_FAILED_SOURCES=-1, aside).
        kind = getattr(project_settings, name, None)
        if kind is None:
            kind = value
        if isinstance(kind, (int, float)) and not isinstance(kind, bool) and name not in NEGATIVE_MEANS_SOMETHING:
            kind = type(kind)(0)
        problem = setting_problem(name, kind, settings)
        if problem:
            return f"in {module}: {problem.removeprefix('-s ')}"
    return None


def json_lists(given: Mapping[str, Any], defaults: Mapping[str, Any], settings: BaseSettings) -> None:
    """Read a ``-s`` value given as a JSON array (as ``-s FEEDS`` takes a JSON object) for a list setting
    as that list: Scrapy's ``getlist`` splits the text at its commas (``'["/rss/latest.rss"'``, a 404)."""
    for name, value in given.items():
        if not isinstance(defaults.get(name), (list, tuple)) or not isinstance(value, str) or not value.lstrip().startswith("["):
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            continue  # setting_problem() says so
        if isinstance(parsed, list):
            settings.set(name, parsed, priority="cmdline")


def setting_problems(
    given: Mapping[str, Any], defaults: Mapping[str, Any], settings: BaseSettings, known: Collection[str] | None = None
) -> dict[str, str]:
    """What is wrong with the ``-s`` values ``given``, by name, against the values they replace (``defaults``)
    and, when ``known`` (the names of the settings before them) is given, with their names."""
    problems: dict[str, str | None] = {}
    for name in given:
        if known is not None and name not in known:
            problems[name] = unknown_setting_problem(name, known)
        elif defaults.get(name) is not None:
            problems[name] = setting_problem(name, defaults[name], settings, given[name])
        elif name in TEXT_WITHOUT_DEFAULT:
            problems[name] = _text_setting_problem(name, f"-s {name}=…", settings.get(name))
    return {name: problem for name, problem in problems.items() if problem}


def feeds_problem(feeds: Mapping[Any, Any], encoding: str | None = None) -> str | None:
    """What makes ``FEEDS`` no output at all, in one line; None when it is one.

    No feed (``-s FEEDS={}``, an empty ``BS_DEFAULT_FEED``) wrote the articles found nowhere, and so
    never marked them seen: every run found them again and said "ok". Options that are no object were
    a traceback when Scrapy's feed exporter was made. A CSV feed in an encoding (its own, else
    ``encoding``: ``FEED_EXPORT_ENCODING``) that cannot write every character stopped the run, with a
    traceback, at the first article holding a "₹", an emoji or a Hindi word (JSON escapes them, XML
    writes character references; a CSV cell has no escape). A feed's own encoding that names none
    failed at the first article.
    """
    if not feeds:
        return "no output: FEEDS is empty (-s FEEDS={} or an empty BS_DEFAULT_FEED); give -o/-O FILE or leave them as they are"
    for uri, options in feeds.items():
        if not isinstance(options, (dict, BaseSettings)):
            return f'the options of the output {uri} must be a JSON object, like {{"format": "jsonlines"}}'
    for uri, options in feeds.items():
        if options.get("encoding"):
            # (FEED_EXPORT_ENCODING is checked by name with the other settings: a feed's own was not,
            # and failed at its first article, a traceback, none written.)
            try:
                codecs.lookup(str(options["encoding"]))
            except LookupError:
                return f"the output {uri} names the encoding {options['encoding']}, which is not a known text encoding (utf-8, say)"
        written_in = options.get("encoding") or encoding
        if options.get("format") == "csv" and written_in and not writes_all_of_unicode(str(written_in)):
            return (
                f"the output {uri} would be CSV in {written_in}, which cannot write every character of an article "
                "(the rupee sign, emoji, Hindi): give FEED_EXPORT_ENCODING=utf-8, or utf-8-sig for Excel"
            )
    return None


_ARTICLE_FIELDS = tuple(field.name for field in dataclass_fields(Article))


def _fields_problem(uri: str, given: Any, where: str) -> str | None:
    """What is wrong with a feed's ``fields`` (``where`` names where they were given): names of no
    article field wrote nothing under them, no warning (a misspelt ``hedline``: a blank CSV column,
    no key in JSON, run after run), and a string was read as its characters, each a field no item
    has: every article written as ``{}``, and marked seen, as with an empty list."""
    if given is None:
        return None
    if isinstance(given, Mapping):
        names = [str(name) for name in given]
    elif isinstance(given, (list, tuple)) and all(isinstance(name, str) for name in given):
        names = list(given)
    else:
        return (
            f"the output {uri}: {where} must be a list of field names, like [\"articleId\", \"headline\"], "
            f"or an object naming their columns, like {{\"articleId\": \"id\"}}; got {json.dumps(given, default=str)}"
        )
    if not names:
        # (Scrapy takes none, not all: every article written as `{}`; FEED_EXPORT_FIELDS empty is all.)
        return f"the output {uri}: {where} name no field at all, so every article would be written empty; leave them out to write every field"
    unknown = [name for name in names if name not in _ARTICLE_FIELDS]
    if not unknown:
        return None
    hints = [f"{name} (did you mean {close[0]}?)" if (close := difflib.get_close_matches(name, _ARTICLE_FIELDS, 1, 0.6)) else name for name in unknown]
    return f"the output {uri}: {where} name no field of an article: {', '.join(hints)}; its fields are {', '.join(_ARTICLE_FIELDS)}"


# One article with every kind of value a field holds (a rupee sign and Hindi, links, a picture, the
# ticker, a null), for a feed's exporter to write before the run.
_SAMPLE = Article(
    url="https://www.business-standard.com/markets/news/sample-124010100001_1.html", articleId="124010100001",
    headline="Sensex ₹ रुपया", authors=[Link(name="PTI")], mainImage=Image(url="https://bsmedia.business-standard.com/x.jpg"),
    alsoRead=[RelatedArticle(headline="Also", url="https://www.business-standard.com/a-124010100002_1.html")], topics=["Sensex"],
    market=[MarketQuote(name="Sensex", value=1.5)], layout="sample", readTimeMinutes=2, version=1,
)


# The exporters tried with one article before the run: Scrapy's and the project's, which write their file alone.
_KNOWN_EXPORTERS = frozenset({"scrapy.exporters", "crawler.incremental.exporters"})


def feed_options_problem(feeds: Mapping[Any, Any], crawler: Crawler) -> str | None:
    """What makes a feed's options ones its exporter cannot write an article with, in one line; None
    when every feed can. Checked by writing one article in memory, as the feed exporter would make
    the exporter: a ``fields`` of no article field (:func:`_fields_problem`), or ``item_export_kwargs``
    the exporter or its writer refuse (``{"delimiter": ";;"}``, a misspelt ``sort_key``) failed at the
    first article, after every page had been fetched, with a traceback."""
    settings = crawler.settings
    exporters = settings.getwithbase("FEED_EXPORTERS")
    try:
        default_fields = settings.getdictorlist("FEED_EXPORT_FIELDS") or None
    except ValueError:
        default_fields = settings.get("FEED_EXPORT_FIELDS")
    # FEED_EXPORT_INDENT as Scrapy's feed exporter reads it: "-s FEED_EXPORT_INDENT=2" is the text "2",
    # which the JSON exporter, given it as it is, compared with a number (TypeError: every run refused).
    try:
        default_indent = None if settings.get("FEED_EXPORT_INDENT") is None else settings.getint("FEED_EXPORT_INDENT")
    except ValueError:
        default_indent = None  # (no number: Scrapy's own start says so)
    for uri, options in feeds.items():
        given = options.get("fields")
        problem = _fields_problem(str(uri), given, "its fields") if given is not None else _fields_problem(str(uri), default_fields, "FEED_EXPORT_FIELDS")
        if problem:
            return problem
        exporter = exporters.get(options.get("format"))
        kwargs = options.get("item_export_kwargs") or {}
        if not exporter or not isinstance(kwargs, Mapping):
            continue  # (Scrapy names an unknown format; options of no object are feeds_problem's)
        exporter_class = load_object(exporter)
        if getattr(exporter_class, "__module__", None) not in _KNOWN_EXPORTERS:
            continue  # a user's own exporter may write elsewhere than its file (a database): not tried
        given_kwargs = f" (item_export_kwargs {json.dumps(kwargs, default=str)})" if kwargs else ""
        written = io.BytesIO()
        try:
            made = build_from_crawler(
                exporter_class, crawler, written, fields_to_export=given if given is not None else default_fields,
                encoding=options.get("encoding") or settings.get("FEED_EXPORT_ENCODING"),
                indent=options.get("indent", default_indent), **kwargs,
            )
            made.start_exporting()
            made.export_item(_SAMPLE)
            made.finish_exporting()
        except Exception as error:  # whatever the exporter raises is the feed's failure, said in one line
            return f"the output {uri} cannot write an article with its options{given_kwargs}: {type(error).__name__}: {error}"
        if isinstance(made, XmlItemExporter):
            problem = _xml_problem(written.getvalue(), str(made.encoding or "utf-8"), given if given is not None else default_fields, kwargs)
            if problem:
                return f"the output {uri} would be no XML a reader takes with its options{given_kwargs}: {problem}"
    return None


def _xml_problem(document: bytes, encoding: str, fields: Any, kwargs: Mapping[str, Any]) -> str | None:
    """Why an XML feed's ``document`` of one article is no well-formed XML; None when it is. Its
    element names are the feed's: a column name of its ``fields`` (``{"articleId": "article id"}``)
    or an ``item_element`` with a space wrote every article in tags no parser reads, exit 0."""
    try:
        ElementTree.fromstring(document.decode(encoding))
    except (ElementTree.ParseError, UnicodeError, LookupError) as error:
        names = [str(name) for name in fields.values()] if isinstance(fields, Mapping) else []
        names += [str(kwargs[key]) for key in ("item_element", "root_element") if key in kwargs]
        bad = [name for name in names if not _is_xml_name(name)]
        return f"{', '.join(map(repr, bad))} {'is' if len(bad) == 1 else 'are'} no XML element name" if bad else str(error)
    return None


def _is_xml_name(name: str) -> bool:
    try:
        ElementTree.fromstring(f"<{name}/>")
    except ElementTree.ParseError:
        return False
    return True


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, plus argument checks (exit 2), Redis reachable (exit 8), the output writable
    (exit 6), the run lock (exit 3), the seen-store usable (exit 7) and the verdict's status."""

    closed_streams: frozenset[int] = frozenset()  # the standard descriptors the process was started without

    def __init__(self) -> None:
        super().__init__()
        # Scrapy makes every command of the project before it prints its list of them (`scrapy`, `scrapy
        # -h`, a command it does not know) or a command's `-h`: with stdout on a full disk that ended in
        # Python's OSError and exit 120. Guarded here, every `scrapy …` run in the project is.
        guard_standard_streams()

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        # First, before Scrapy sets up its logging on stderr (a closed one was an AttributeError there).
        self.closed_streams = guard_standard_streams()
        empty_arrays_as_objects(opts, self.settings)
        try:
            given = arglist_to_dict(opts.set)
        except ValueError:
            given = {}  # Scrapy's own usage error, below
        if getattr(opts, "loglevel", None):
            given["LOG_LEVEL"] = opts.loglevel  # -L is -s LOG_LEVEL=
        replaced = {name: self.settings.get(name) for name in given}
        known = set(self.settings)
        # `-O -` (stdout, as the README writes it): Scrapy takes a feed's format from its file's
        # extension, which `-` has none of, and refused the run (exit 2). Every default output of the
        # project is JSON lines; `-O -:csv` still names another format.
        for dest in ("output", "overwrite_output"):
            outputs = getattr(opts, dest, None)
            if outputs:
                setattr(opts, dest, ["-:jsonlines" if output == "-" else output for output in outputs])
        repeated = repeated_argument_problem(opts.spargs)
        # Written below, once the -s settings are in for the refusal's record (Scrapy writes it in its
        # process_options); a ~ no shell expanded (`--pidfile=~/…`) is the home folder, as for the profile.
        pidfile = os.path.expanduser(opts.pidfile) if getattr(opts, "pidfile", None) else None
        opts.pidfile = None
        if getattr(opts, "profile", None):
            opts.profile = os.path.expanduser(opts.profile)
        wrong = object_setting_problem(given, self.settings)
        if wrong:
            # Before Scrapy reads the -s values: there, one that is no object was a traceback.
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, wrong)
            sys.exit(EXIT_USAGE)
        try:
            super().process_options(args, opts)
        except UsageError as error:
            # Scrapy's own (`-o out.jsnol`, `-a url`): its usage text on every cron run, neither recorded
            # nor pinged. The -s settings are in by then, but for an -s that is itself wrong.
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, str(error))
            sys.exit(EXIT_USAGE)
        expand_home(self.settings)
        # Here as well as in the spiders' update_settings: Scrapy lays these settings over the
        # crawler's again when it is handed the crawler made below.
        overwrite_stores_empty(self.settings)
        json_lists(given, replaced, self.settings)
        problems = setting_problems(given, replaced, self.settings, known=known)
        if problems:
            # The refusal is recorded and pinged with the wrong values replaced by those they replaced:
            # one may be a setting the record or the ping reads (BS_RUN_HISTORY, BS_HEARTBEAT_TIMEOUT).
            usable = self.settings.copy()
            for name in problems:
                usable.set(name, replaced[name], priority="cmdline")
            self.refuse(usable, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, next(iter(problems.values())))
            sys.exit(EXIT_USAGE)
        # Every request is built on BS_BASE_URL: an empty or scheme-less one would fail at start-up
        # with Scrapy's traceback. Recorded and pinged as any other refusal (it was neither).
        message = base_url_problem(self.settings.get("BS_BASE_URL"))
        if message:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, message)
            sys.exit(EXIT_USAGE)
        # scrapy-redis's REDIS_HOST, REDIS_PORT and REDIS_DB are this REDIS_URL for everything after.
        problem = adopt_host_settings(self.settings)
        if problem:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, problem)
            sys.exit(EXIT_USAGE)
        own = settings_module_problem(self.settings, given)
        if own:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, own)
            sys.exit(EXIT_USAGE)
        inert = inert_setting_problem(given, replaced, self.settings)
        if inert:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, inert)
            sys.exit(EXIT_USAGE)
        splash = splash_problem(self.settings)
        if splash:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, splash)
            sys.exit(EXIT_USAGE)
        heartbeat = heartbeat_problem(self.settings)
        if heartbeat:
            # Recorded, and not pinged (there is nothing to ping), without a second line saying so.
            unpinged = self.settings.copy()
            unpinged.set("BS_HEARTBEAT_URL", "", priority="cmdline")
            self.refuse(unpinged, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, heartbeat)
            sys.exit(EXIT_USAGE)
        spidermon = spidermon_problem(self.settings)
        if spidermon:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, spidermon)
            sys.exit(EXIT_USAGE)
        # Wrong -a arguments: one `error:` line and exit 2 here, before Scrapy's process (and its
        # banner) exists, so nothing is fetched, logged or created first.
        if repeated:
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, repeated)
            sys.exit(EXIT_USAGE)
        if len(args) != 1:
            # `scrapy crawl $SPIDER` with the variable unset in a crontab was Scrapy's banner and usage
            # text on every run, neither recorded nor pinged.
            loader = load_object(self.settings.get("SPIDER_LOADER_CLASS")).from_settings(self.settings.frozencopy())
            spiders = ", ".join(sorted(loader.list()))
            wrong = f"one spider at a time, not {len(args)} ({' '.join(args)})" if args else "name the spider to run"
            self.refuse(self.settings, "?", opts, EXIT_USAGE, f"scrapy crawl: {wrong}; the spiders are {spiders}")
            sys.exit(EXIT_USAGE)
        if len(args) == 1:
            loader = load_object(self.settings.get("SPIDER_LOADER_CLASS")).from_settings(self.settings.frozencopy())
            try:
                spider_class = loader.load(args[0])
            except KeyError:
                # A typo in a crontab was Scrapy's usage text on every run, neither recorded nor pinged.
                names = sorted(loader.list())
                close = difflib.get_close_matches(args[0], names, n=1)
                hint = f"did you mean {close[0]}?" if close else f"the spiders are {', '.join(names)}"
                self.refuse(self.settings, args[0], opts, EXIT_USAGE, f"no spider named {args[0]!r}; {hint}")
                sys.exit(EXIT_USAGE)
            check = getattr(spider_class, "check_usage", None)
            if check is not None:
                try:
                    check(opts.spargs, self.settings)
                except UsageError as error:
                    self.refuse(self.settings, args[0], opts, EXIT_USAGE, str(error))
                    sys.exit(EXIT_USAGE)
        # `--logfile=logs/latest.log` in a crontab must work on a fresh machine: make its folder (the log
        # file is opened after this, when the crawler process is made). One that cannot be opened (a
        # folder, no permission) was a traceback then, and a folder that cannot be made Scrapy's usage
        # text: neither recorded nor pinged. So with the pid file (`--pidfile=/run/bs/latest.pid` after a
        # reboot emptied /run: Scrapy's traceback as the command started) and the profile (written when
        # the run is over: a traceback in place of its exit status).
        logfile = self.settings.get("LOG_FILE")
        for what, path in (("log file", logfile), ("pid file", pidfile), ("profile", getattr(opts, "profile", None))):
            why = _unwritable(Path(str(path))) if path else None
            if why:
                self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, f"cannot write the {what} {path}: {why}")
                sys.exit(EXIT_USAGE)
        if logfile:
            _log_file_that_may_fail()
        if pidfile:
            Path(pidfile).write_text(f"{os.getpid()}{os.linesep}", encoding="utf-8")  # as Scrapy writes it
        # A JOBDIR that is a file, or a folder that cannot be made or written, was Scrapy's traceback when
        # the scheduler opened (exit 1, nothing recorded): Scrapy makes it then, as is done here first.
        # So with the HTTP cache's folder (HTTPCACHE_DIR, in the project's .scrapy/ when relative, as Scrapy
        # reads it): one that is a file failed every article as its page was stored ("Not a directory"), exit 1.
        jobdir = self.settings.get("JOBDIR")
        folders = [("JOBDIR", str(jobdir))] if jobdir else []
        if self.settings.getbool("HTTPCACHE_ENABLED") and self.settings.get("HTTPCACHE_DIR"):
            try:
                folders.append(("HTTPCACHE_DIR", data_path(str(self.settings.get("HTTPCACHE_DIR")))))
            except NotConfigured:
                # Relative, run where no scrapy.cfg is (SCRAPY_SETTINGS_MODULE from the environment): Scrapy's
                # cache could not find its folder and switched itself off, in silence: no page was stored.
                message = (
                    f"cannot use the HTTPCACHE_DIR {self.settings.get('HTTPCACHE_DIR')}: a relative one is in the project's "
                    ".scrapy/ folder, and there is no scrapy.cfg here; give an absolute path, or run from the project"
                )
                self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, message)
                sys.exit(EXIT_USAGE)
        for name, folder in folders:
            why = _unusable_folder(Path(folder))
            if why:
                self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_USAGE, f"cannot use the {name} {folder}: {why}")
                sys.exit(EXIT_USAGE)
        # A BS_STATE_DIR that is a file (or under one) was refused by the run lock, in words naming the lock
        # file ("run lock …/latest.lock cannot be created: File exists"), not the setting nor what it takes.
        # Exit 7 still, as the README's table has it for the state dir. Only looked at, not made: a run
        # that keeps no state makes no folder. Only for the spiders that keep state (the seen-store, the
        # lock): `reextract` and `article` go on without their run's record, as they did.
        state = self.settings.get("BS_STATE_DIR")
        state_problem: str | None = None
        try:
            in_the_way = _file_on_the_way(Path(str(state))) if state else None
        except OSError as error:
            # A folder on the way the user may not look into (PermissionError), a name too long: Path.exists()
            # raises these rather than answer, a traceback here, exit 1, the run not recorded.
            in_the_way, state_problem = None, f"cannot be used: {error.strerror or error}"
        if in_the_way is not None and in_the_way.is_symlink() and not in_the_way.exists():
            # A link to a disk not mounted (or a folder moved away) read as "is a file", and the fix it gave,
            # a folder in its place, would have started the seen-store afresh: every article again.
            where = "is" if in_the_way == Path(str(state)) else f"is under {in_the_way}, which is"
            state_problem = (f"{where} a symbolic link to {os.readlink(in_the_way)}, which is not there (a disk not "
                             "mounted, a folder moved?): mount or make it, or point the link at the state dir")
        elif in_the_way is not None:
            where = "is a file" if in_the_way == Path(str(state)) else f"is under {in_the_way}, which is a file"
            state_problem = f"{where}: give a folder (made if it is not there) for the seen-store and the run lock"
        if state_problem and getattr(spider_class, "incremental", False):
            message = f"BS_STATE_DIR={str(state)!r} {state_problem}"
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_STATE, message)
            sys.exit(EXIT_STATE)
        to_stdout = [str(uri) for uri in self.settings.getdict("FEEDS") if str(uri) == "-" or str(uri).startswith("stdout:")]
        if to_stdout and STDOUT in self.closed_streams:
            # /dev/null stands in for it now: the run would have marked seen articles nobody got.
            named = "-" if to_stdout[0] in ("-", "stdout:") else to_stdout[0]
            message = (f"standard output is closed (>&-), where the output {named} writes the articles: they would be "
                       "lost; give -O a file, or leave stdout open")
            self.refuse(self.settings, args[0], opts, EXIT_OUTPUT, message)
            sys.exit(EXIT_OUTPUT)
        # A resumed run from a damaged JOBDIR would fail on every pop from its queue, for ever.
        disk_queue = str(self.settings.get("SCHEDULER_DISK_QUEUE") or "")
        try:
            jobdir_settle(jobdir, disk_queue)
        except OSError:
            pass  # damage() names what is wrong with it
        damaged = jobdir_damage(jobdir, disk_queue) if jobdir else None
        if damaged:
            message = f"the JOBDIR at {jobdir} is damaged ({damaged}); delete it to start afresh"
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_FAILED, message)
            sys.exit(EXIT_FAILED)

    def refuse(
        self, settings: BaseSettings, spider: str, opts: argparse.Namespace, status: int, message: str, finish_reason: str = "refused"
    ) -> None:
        """The refusal recorded in the run history and pinged to the cron monitor, then one ``error:`` line.

        Nothing more is printed unless the record or the ping failed: then one ``warning:`` line says
        so, before the error line (which stays the last, as cron's mail and scripts expect).
        """
        spargs = getattr(opts, "spargs", None)
        # Still the raw -a list when Scrapy could not read it.
        arguments = {str(k): str(v) for k, v in spargs.items()} if isinstance(spargs, dict) else {}
        # The refusal's record may be the first file of a group-shared state dir: made the user's
        # alone under umask 077, it refused every run of the group's other users (exit 7).
        share_with_group(history_dir(settings))
        recorded = record_refused(settings, spider, arguments, status, message, finish_reason)
        pinged = ping_refused(settings, spider, status, message, refused=finish_reason == "refused")
        problems = [p for p in (recorded, pinged) if p]
        if problems:
            print(f"warning: {'; '.join(problems)}", file=sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        _log_refusal(settings, message)
        self.exitcode = status

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            return super().run(args, opts)
        atexit.register(_ignore_shutdown_signals)
        assert self.crawler_process and self.settings is not None
        try:
            spider_class = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"Spider not found: {args[0]}") from None
        check = getattr(spider_class, "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs)
            except UsageError as error:
                return self.refuse(self.settings, spider_class.name, opts, EXIT_USAGE, str(error))
        incremental = bool(getattr(spider_class, "incremental", False))
        # Distributed mode (REDIS_URL, incremental spiders only: crawler/distributed/): Redis must
        # answer before anything is fetched.
        problem = unread_settings_problem(self.settings) if incremental else None
        if problem:
            return self.refuse(self.settings, spider_class.name, opts, EXIT_USAGE, problem)
        problem = redis_problem(self.settings, run=True) if incremental else None
        if problem:
            return self.refuse(self.settings, spider_class.name, opts, EXIT_REDIS, problem)
        # The crawler's settings have the spider's own (a distributed run's store, its default feed).
        crawler = self.crawler_process.create_crawler(spider_class)
        # Every spider's run writes the history there (`article` and `reextract` too), not only the seen-store's.
        share_with_group(state_dir(crawler.settings))
        lock = None
        if incremental:
            lock = run_lock(crawler.settings, spider_class.name)
            try:
                acquired = lock.acquire()
            except StateError as error:
                return self.refuse(crawler.settings, spider_class.name, opts, EXIT_STATE, str(error))
            if not acquired:
                return self.refuse(
                    crawler.settings,
                    spider_class.name,
                    opts,
                    EXIT_LOCKED,
                    f"another '{spider_class.name}' run (pid {lock.holder()}) is still going; "
                    f"not starting a second one ({lock.path})",
                )
            # The lock's file removed by hand while a run held it: this run locked a new file. The live
            # run's marker still names the lock (with BS_RUN_HISTORY on); two runs at once shared the
            # seen-store and output folder.
            try:
                holder = RunHistory(history_dir(crawler.settings)).live_holder(lock.path.name) if crawler.settings.getbool("BS_RUN_HISTORY") else None
            except OSError:
                holder = None  # (the markers cannot be read: the lock is all there is to go by)
            if holder is not None:
                lock.release()
                return self.refuse(
                    crawler.settings,
                    spider_class.name,
                    opts,
                    EXIT_LOCKED,
                    f"another '{spider_class.name}' run (pid {holder}) is still going, though its lock file {lock.path} was removed; "
                    "not starting a second one",
                )
        name_lock: WorkerNameLock | None = None
        try:
            if incremental and enabled(crawler.settings):
                # The run lock above holds on this state dir; a worker's name is held across machines.
                name_lock = WorkerNameLock(crawler.settings, spider_class.name, on_taken=lambda: _stop_from_thread(crawler))
                held = name_lock.acquire(crawler.settings)
                if held is not None:
                    name_lock = None
                    refused = EXIT_REDIS if held.startswith("Redis at") else EXIT_LOCKED
                    return self.refuse(crawler.settings, spider_class.name, opts, refused, held)
            if incremental:
                problem = unwritable_state_file(state_dir(crawler.settings), _state_names_written(crawler.settings))
                if problem:
                    return self.refuse(crawler.settings, spider_class.name, opts, EXIT_STATE, problem)
                try:
                    backend(crawler.settings).check(crawler.settings)
                except StateError as error:
                    return self.refuse(crawler.settings, spider_class.name, opts, EXIT_STATE, str(error))
                # A Retry-After an earlier run could not wait out: asked before it is over, the site answers
                # 429 again (each cron run met it, exit 4, and asked a site that had said when to come back).
                problem = site_wait_problem(crawler.settings)
                if not problem and enabled(crawler.settings):
                    from crawler.distributed.sitewait import shared_site_wait_problem

                    # One asked on another machine: its state dir is not this one's (each worker asked the site
                    # again, met the same 429 and exit 4, at every cron run of the wait).
                    problem = shared_site_wait_problem(crawler.settings)
                if problem:
                    return self.refuse(crawler.settings, spider_class.name, opts, EXIT_BLOCKED, problem)
            feeds = feeds_problem(crawler.settings.getdict("FEEDS"), crawler.settings.get("FEED_EXPORT_ENCODING")) or (
                feed_options_problem(crawler.settings.getdict("FEEDS"), crawler)
            )
            if feeds:
                return self.refuse(crawler.settings, spider_class.name, opts, EXIT_OUTPUT, feeds)
            # Scrapy fills a feed URI's placeholders from the spider's attributes, its -a arguments among
            # them (`-a section=markets -o out/%(section)s.jsonl`): the check looks at that file, not out/x.
            extra = {**{name: getattr(spider_class, name, None) for name in dir(spider_class)}, **opts.spargs,
                     "worker": worker_name(crawler.settings)}
            problems = unwritable_feeds(
                crawler.settings.getdict("FEEDS"), spider_class.name, extra, crawler.settings.getint("FEED_EXPORT_BATCH_ITEM_COUNT")
            )
            if problems:
                return self.refuse(crawler.settings, spider_class.name, opts, EXIT_OUTPUT, problems[0])
            opened: list[bool] = []
            crawler.signals.connect(lambda **_: opened.append(True), signal=signals.spider_opened, weak=False)
            failures: list[BaseException] = []
            _keep_failure(self.crawler_process.crawl(crawler, **opts.spargs), failures)
            self.crawler_process.start()
        finally:
            if name_lock is not None:
                name_lock.release()
            if lock is not None:
                lock.release()
        status = _exit_status(crawler)
        if failures and opened:
            # Kept from the crawl, it is logged by nobody else.
            crash = failures[0]
            logger.error("The run ended in an exception", exc_info=(type(crash), crash, crash.__traceback__))
        elif failures:
            # A component that failed as the run began (an extension or pipeline of one's own raising in
            # from_crawler or open_spider, a spider raising as it is made): the run history and the
            # heartbeat, which act on a run whose spider opened, left it to be recorded and pinged here.
            crash = failures[0]
            logger.error("The run failed before its spider opened", exc_info=(type(crash), crash, crash.__traceback__))
            why = f"the run failed before its spider opened ({type(crash).__name__}: {' '.join(str(crash).split())}); see its traceback in the log"
            return self.refuse(crawler.settings, spider_class.name, opts, EXIT_FAILED, why, FAILED_TO_START)
        if self.crawler_process.bootstrap_failed or getattr(self.crawler_process, "has_exception", False):
            self.exitcode = EXIT_FAILED
            return None
        self.exitcode = EXIT_FAILED if status is None else int(status)
        return None


class LogFileHandler(logging.handlers.WatchedFileHandler):
    """Scrapy's log file handler, which follows a rotation and goes on on stderr when the file cannot be
    written (a full disk).

    Python's handler printed a "Logging error" traceback to stderr for every line (cron mails
    them), and the full file's close, when the crawler replaced Scrapy's first handler, raised: a
    traceback, exit 1, the run neither made nor recorded. A file logrotate moved away mid-run (its
    default, ``create``) kept the rest of a long run's log, compressed or deleted with it; the file
    made in its place got none of it.
    """

    failed = False
    # Scrapy makes a second handler on the same file for the crawler: one warning for the file, not one per handler.
    said: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            try:
                self.reopenIfNeeded()
            except OSError as error:  # its folder gone, a full disk as the old file is flushed
                self._give_up(error)
        if self.failed:
            logging.StreamHandler.emit(self, record)
        else:
            logging.FileHandler.emit(self, record)

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if self.failed or not isinstance(error, OSError):
            super().handleError(record)
            return
        self._give_up(error)
        self.emit(record)

    def _give_up(self, error: OSError) -> None:
        self.failed = True
        broken, self.stream = self.stream, sys.stderr  # type: ignore[assignment]  # a text stream as the file was
        try:
            if broken is not None:
                broken.close()
        except OSError:
            pass  # what it still held cannot be written either
        if self.baseFilename not in LogFileHandler.said:
            LogFileHandler.said.add(self.baseFilename)
            print(f"warning: cannot write the log file {self.baseFilename}: {error.strerror or error}; the log goes on here", file=sys.stderr)

    def close(self) -> None:
        if self.failed:
            self.stream = None  # stderr is not this handler's to close
        try:
            super().close()
        except OSError as error:
            if not self.failed and self.baseFilename not in LogFileHandler.said:
                LogFileHandler.said.add(self.baseFilename)
                print(f"warning: cannot write the log file {self.baseFilename}: {error.strerror or error}", file=sys.stderr)


def _unusable_folder(path: Path) -> str | None:
    """Why files cannot be kept in the folder ``path`` (made first if it is not there); None when they can."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(str(path), os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as error:
        folder = isinstance(error, (FileExistsError, NotADirectoryError))
        return "it or a folder on its path is a file" if folder else error.strerror or str(error)
    return None


def _file_on_the_way(path: Path) -> Path | None:
    """``path`` or the folder on its way that exists and is no folder; None when there is none."""
    for place in (path, *path.parents):
        if place.exists() or place.is_symlink():
            return None if place.is_dir() else place
    return None


def _unwritable(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` (its folder made first, the file created if it is not
    there); None when it can."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as error:
        folder = isinstance(error, (FileExistsError, NotADirectoryError)) and not path.parent.is_dir()
        return "its folder is not a directory" if folder else error.strerror or str(error)
    return None


def _log_refusal(settings: BaseSettings, message: str) -> None:
    """The refusal's line in the run's log file too, when it has one: scrapyd gives every job a log file
    (``-s LOG_FILE=logs/<project>/<spider>/<job>.log``), the one place it shows of a job, and keeps its
    stderr, where the line went alone, in its own daemon log; a refused job's log was empty or missing."""
    name = settings.get("LOG_FILE")
    if not name:
        return
    record = logging.LogRecord(__name__, logging.ERROR, __file__, 0, "error: %s", (message,), None)
    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    try:
        with open(str(name), "a", encoding=settings.get("LOG_ENCODING") or "utf-8", errors="backslashreplace") as log:
            log.write(formatter.format(record) + "\n")
    except (OSError, LookupError):
        pass  # (a log file that cannot be written is refused itself, on stderr)


def _log_file_that_may_fail() -> None:
    """Make Scrapy's log file handler a :class:`LogFileHandler` (no setting chooses its class)."""
    from scrapy.utils import log as scrapy_log

    make = getattr(scrapy_log, "_get_handler", None)
    if make is None or getattr(make, "may_fail", False):
        return

    emptied: set[str] = set()  # the log files LOG_FILE_APPEND=False has emptied for this run

    def get_handler(settings: Any) -> logging.Handler:
        name = settings.get("LOG_FILE")
        if name and not settings.getbool("LOG_FILE_APPEND") and os.path.abspath(name) in emptied:
            # The crawler's handler, replacing the process's first, emptied the file again: the run's
            # first lines (Scrapy's version, the settings overridden) were lost.
            settings = settings.copy()
            settings.frozen = False
            settings.set("LOG_FILE_APPEND", True, priority=settings.maxpriority())
        handler: logging.Handler = make(settings)
        if type(handler) is logging.FileHandler:
            handler.__class__ = LogFileHandler  # the file Scrapy opened, as it opened it
            assert isinstance(handler, LogFileHandler)
            handler.dev, handler.ino = -1, -1
            handler._statstream()
            if handler.mode == "w":
                emptied.add(handler.baseFilename)
                # Emptied once, then appended to: logrotate's copytruncate empties it under the run, whose
                # next line was written at the old offset, the file a hole of NUL bytes up to it.
                handler.mode = "a"
                if handler.stream is not None:
                    try:
                        descriptor = handler.stream.fileno()
                        fcntl.fcntl(descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) | os.O_APPEND)
                    except OSError:
                        pass  # a file that takes no flags (a device) has no offset to keep either
        return handler

    get_handler.may_fail = True  # type: ignore[attr-defined]
    scrapy_log._get_handler = get_handler


def _ignore_shutdown_signals() -> None:
    """Ctrl-C and SIGTERM are ignored once the process exits, the run's status and record final.

    Python sets a signal it handled back to the system's default as it tears the interpreter down, in
    the tenths of a second before the process ends: a SIGTERM or Ctrl-C then (systemd's or scrapyd's
    stop, the second of two) ended it with the signal (exit 143, 130), not the run's status, and
    systemd counts a SIGTERM death as a clean stop. Left ignored, it stays so to the end. (Called at
    exit, after threads that were still going were waited for: Ctrl-C still stops a hang there.)"""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _exit_status(crawler: Crawler) -> int | None:
    """The verdict's exit status; None when there was none (or no stats at all: the spider failed as it was made)."""
    try:
        stats = crawler.stats
    except RuntimeError:  # Scrapy 2.14+: "Crawler.stats is not set yet", a traceback in place of the run's own
        return None
    if stats is None:
        return None
    status = stats.get_value(stat.EXIT_STATUS)
    return None if status is None else int(status)


def _keep_failure(started: Any, failures: list[BaseException]) -> None:
    """Keep the exception a crawl ended in: ``started`` is a Deferred (CrawlerProcess) or an asyncio Task
    (AsyncCrawlerProcess). Kept, it is logged once by the command, not as an unretrieved task's."""
    if isinstance(started, Deferred):

        def keep(failure: Failure) -> None:
            if failure.value is not None:
                failures.append(failure.value)

        started.addErrback(keep)
        return

    def done(task: Any) -> None:
        crash = None if task.cancelled() else task.exception()
        if crash is not None:
            failures.append(crash)

    started.add_done_callback(done)


def _keeps_receipt(uri: Any, options: Any, settings: BaseSettings) -> bool:
    """Whether the feed may keep a receipt in the state dir, as the delivery decides it once the feed is
    open (crawler/incremental/delivery.py): any but a local file whose articles recovery reads back."""
    if not isinstance(options, dict):
        return False  # (no options: the run's own check refuses the feed, exit 6)
    uri = str(uri)
    scheme = "stdout" if uri == "-" else urlsplit(uri).scheme
    try:
        storage = load_object(settings.getwithbase("FEED_STORAGES")[scheme])
        complete = feed_complete_default_values_from_settings(dict(options), settings)
        return not (isinstance(storage, type) and issubclass(storage, DurableFileFeedStorage) and read_back(complete))
    except Exception:  # noqa: BLE001 - a storage or plugin that does not load: the feed fails later; checked as if it kept one
        return True


def _state_names_written(settings: BaseSettings) -> tuple[str, ...]:
    """What of the state dir this run will write (see :data:`WRITTEN_IN_STATE_DIR`): ``receipts/`` only
    when a killed run's receipts are there to settle, or a feed may keep one (stdout, a remote store, a
    file recovery cannot read back: postprocessing but gzip, ``fields`` without the id, UTF-16); a
    root-owned ``receipts/`` a run to stdout left refused every cron run to a file."""
    receipts = state_dir(settings) / RECEIPTS_FOLDER
    try:
        settle = any(receipts.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        settle = False
    except OSError:
        settle = True  # there, but not to be read: the check names it and whose it is
    # (Judged as the feed's delivery judges it: a csv of a few columns passed this check and stopped at its
    # first article, exit 6; a gzipped file, which keeps none, was refused, exit 7.)
    if settle or any(_keeps_receipt(uri, options, settings) for uri, options in settings.getdict("FEEDS").items()):
        return WRITTEN_IN_STATE_DIR
    return tuple(name for name in WRITTEN_IN_STATE_DIR if name != RECEIPTS_FOLDER)


def _stop_from_thread(crawler: Crawler) -> None:
    """Stop the run because another process took its worker's name (called from the name's refresh thread)."""
    from twisted.internet import reactor

    def stop() -> None:
        try:
            stats = crawler.stats
        except RuntimeError:  # Scrapy 2.14+, before the crawl began: nothing to stop yet
            return
        if stats is not None:
            stats.set_value(stat.REDIS_NAME_TAKEN, 1)
        stop_run(crawler, WORKER_NAME_TAKEN)

    reactor.callFromThread(stop)  # type: ignore[attr-defined,unused-ignore]

