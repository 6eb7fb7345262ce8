"""Distributed crawling on Redis (scrapy-redis): the switch, worker and run names, keys, the client; no Redis import until REDIS_URL is set."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.incremental.sharing import file_mode
from crawler.monitoring.lookonly import looking_only
from crawler.priorities import merge_components

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SCHEDULER = "crawler.distributed.scheduler.RedisScheduler"
DUPEFILTER = "crawler.distributed.scheduler.RedisDupeFilter"
LOST_PIPELINE = "crawler.distributed.pipelines.RedisLostPipeline"
LOST_PIPELINE_ORDER = 290  # just before crawler.incremental.IncrementalPipeline (300)
INFLIGHT_MIDDLEWARE = "crawler.distributed.scheduler.InflightDoneMiddleware"
# The lowest order: its process_spider_output sees a callback's output last, once every request it
# yielded went to the queue.
INFLIGHT_MIDDLEWARE_ORDER = 1
# A worker's mark of a run that wrote no article (crawler/distributed/emptyrun.py).
EMPTY_RUN_EXTENSION = "crawler.distributed.emptyrun.EmptyRunMark"
# Close reason of a worker that lost Redis mid-run (crawler/monitoring/verdict.py turns it into EXIT_REDIS).
REDIS_LOST = "redis-lost"
# Close reason of a worker whose name another process took while it ran (its Redis mark lapsed: the
# process held up past WORKER_STALE_SECONDS): two workers of one name fetch each other's requests
# (crawler/monitoring/verdict.py turns it into EXIT_LOCKED).
WORKER_NAME_TAKEN = "worker-name-taken"
# Close reason of a worker refused by its run: started as another spider or with other arguments than the run's
# (crawler/monitoring/verdict.py turns it into EXIT_USAGE).
OTHER_ARGUMENTS = "redis-other-arguments"
# A worker refreshes its entry in the run's worker set this often, and counts as gone when it
# has not done so for WORKER_STALE_SECONDS (a few missed beats, never one slow callback).
HEARTBEAT_SECONDS = 5.0
WORKER_STALE_SECONDS = 30
# Retries of a failed Redis command: enough for a reconnect after a dropped connection, few enough
# that a lost Redis is noticed within seconds (every call blocks the reactor while it waits).
CLIENT_RETRIES = 2

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def enabled(settings: BaseSettings) -> bool:
    """Whether this run is distributed: ``REDIS_URL`` is set, and the process is a run (not ``scrapy check``,
    ``parse`` or ``shell``, which look at pages on their own: before, a check's requests went to the shared
    queue, which cannot hold them, "Ran 0 contracts … OK", and it took a killed worker's requests back)."""
    return bool(settings.get("REDIS_URL")) and not looking_only()


# scrapy-redis's other way to name its Redis: REDIS_HOST, REDIS_PORT and REDIS_DB. Taken as the
# REDIS_URL they make (adopt_host_settings), as everything that names the Redis goes by that URL's text
# (messages redact it, the epochs file and redisclear go by it); ignored, the run was not distributed at
# all, and N machines each crawled and emitted everything, exit 0.
HOST_SETTINGS = ("REDIS_HOST", "REDIS_PORT", "REDIS_DB")


def _host_url(settings: BaseSettings) -> str:
    host = str(settings.get("REDIS_HOST") or "localhost").strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"redis://{host}:{str(settings.get('REDIS_PORT') or 6379).strip()}/{str(settings.get('REDIS_DB') or 0).strip()}"


def adopt_host_settings(settings: BaseSettings) -> str | None:
    """Set ``REDIS_URL`` from scrapy-redis's ``REDIS_HOST``, ``REDIS_PORT`` and ``REDIS_DB`` when it is not given
    (at their priority, so the spiders' own settings do not hide it); a one-line reason when they cannot make one.
    Called by every command before it reads the settings."""
    given = [name for name in HOST_SETTINGS if settings.get(name) not in (None, "")]
    if not given or settings.get("REDIS_URL"):
        return None
    host = str(settings.get("REDIS_HOST") or "localhost").strip()
    port = str(settings.get("REDIS_PORT") or 6379).strip()
    db = str(settings.get("REDIS_DB") or 0).strip()
    if not host or re.search(r"[\s/@?#]", host):
        return f"REDIS_HOST={host!r} is no host name or address"
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        return f"REDIS_PORT={port!r} is no port (1 to 65535)"
    if not db.isascii() or not db.isdigit():
        return f"REDIS_DB={db!r} is no database number"
    priority = max(settings.getpriority(name) or 0 for name in given)
    settings.set("REDIS_URL", _host_url(settings), priority=priority)
    return None


# REDIS_PARAMS, scrapy-redis's options of the client, are passed on (socket timeouts, a password or user
# name, health checks, TLS options), except those that name another Redis than REDIS_URL, those that
# make replies text (the queue and the seen-store read bytes) and objects no setting can give.
NAMING_PARAMS = frozenset({"url", "host", "port", "db", "path", "unix_socket_path"})
FIXED_PARAMS = frozenset({"decode_responses", "redis_cls", "connection_pool", "connection_class", "retry", "protocol"})
# Timeouts that must be a positive number: 0 is a non-blocking socket (a Redis that answers reported
# unreachable), null none at all (a lost Redis blocks the reactor for ever).
TIMEOUT_PARAMS = ("socket_timeout", "socket_connect_timeout")


def redis_params(settings: BaseSettings) -> dict[str, Any]:
    """``REDIS_PARAMS`` as :func:`connect` passes them to redis-py; ValueError with a one-line reason
    (which never holds their values: a password may be among them) when they cannot be."""
    if not settings.get("REDIS_PARAMS"):
        return {}
    try:
        params = {str(name): value for name, value in settings.getdict("REDIS_PARAMS").items()}
    except (ValueError, TypeError):
        raise ValueError('REDIS_PARAMS is no JSON object of redis-py\'s options ({"socket_timeout": 10, "password": "..."})') from None
    naming = sorted(set(params) & NAMING_PARAMS)
    if naming:
        raise ValueError(f"REDIS_PARAMS names the Redis ({', '.join(naming)}): this crawler takes it from REDIS_URL alone")
    fixed = sorted(name for name in set(params) & FIXED_PARAMS if params[name] not in (None, False, 2))
    if fixed:
        raise ValueError(f"REDIS_PARAMS sets {', '.join(fixed)}, which this crawler sets itself (its queue and seen-store read Redis's replies as bytes)")
    for name in TIMEOUT_PARAMS:
        value = params.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1e12:
            raise ValueError(f"REDIS_PARAMS' {name} must be a number of seconds above 0")
    interval = params.get("health_check_interval", 0)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not 0 <= interval <= 1e12:
        raise ValueError("REDIS_PARAMS' health_check_interval must be a number of seconds")
    try:
        import redis

        # Made as connect() makes it, not connected: redis-py refuses an option it does not know here,
        # not at the first command.
        # The URL's kind decides which options there are (ssl_* for rediss:// only).
        scheme = urlsplit(str(settings.get("REDIS_URL") or "")).scheme
        place = {"rediss": "rediss://localhost", "unix": "unix:///tmp/redis.sock"}.get(scheme, "redis://localhost")
        redis.ConnectionPool.from_url(place, **params).make_connection()
    except (TypeError, ValueError) as error:
        unknown = re.search(r"unexpected keyword argument '(\w+)'", str(error))
        raise ValueError(
            f"REDIS_PARAMS' {unknown.group(1) if unknown else 'options'}: redis-py takes no such option"
            if unknown
            else f"REDIS_PARAMS: redis-py cannot take them ({type(error).__name__})"
        ) from None
    return params


def unread_settings_problem(settings: BaseSettings) -> str | None:
    """None unless scrapy-redis's REDIS_HOST, REDIS_PORT or REDIS_DB name another Redis than REDIS_URL, or
    REDIS_PARAMS cannot be passed on (or have no Redis), or REDIS_URL cannot be read as written; else a one-line reason."""
    if enabled(settings):
        # Given with -s it was refused already (crawler/commands/crawl.py); this is the one of a settings module.
        url = str(settings.get("REDIS_URL"))
        problem = url_problem(url)
        if problem:
            return f"REDIS_URL {redacted(url)!r} {problem}; nothing was fetched"
    # Beside a REDIS_URL of their own making (adopt_host_settings) they are that URL; beside another, two Redis.
    given = [name for name in HOST_SETTINGS if settings.get(name) not in (None, "")]
    if given and enabled(settings) and str(settings.get("REDIS_URL")) == _host_url(settings):
        given = []
    if not enabled(settings) and settings.get("REDIS_PARAMS"):
        given.append("REDIS_PARAMS")
    if given:
        return (
            f"{', '.join(given)}: "
            + (
                "REDIS_URL names the Redis already; give one or the other"
                if enabled(settings)
                else "without REDIS_URL (or REDIS_HOST) the run would not be distributed"
            )
            + "; nothing was fetched"
        )
    try:
        redis_params(settings)
    except ValueError as error:
        return f"{error}; nothing was fetched"
    return None


def _credentials_cut(url: str) -> bool:
    """Whether a ``/``, ``?`` or ``#`` written raw in ``url``'s user name or password ended them early (an ``@``
    after the host: redis-py takes the rest of the password for the database, the host or the port), or a ``#``
    cut a password given in the query."""
    parts = urlsplit(url)
    names = [field.partition("=")[0] for field in parts.query.split("&")] if parts.query else []
    return "@" in parts.path or "#" in url or any("@" in name for name in names)


def url_problem(url: str) -> str | None:
    """What is wrong with ``REDIS_URL`` as written, before any connection; None when nothing.

    redis-py reads a database number that is no number (``/db2``, ``/O``) as database 0, without a
    word: the run went to another database than the one meant (``redisclear`` deleted keys there).
    A password's ``/``, ``?``, ``#``, ``[`` or ``]`` written raw made a wrong URL whose messages printed it.
    """
    encode = "write them percent-encoded (/ %2F, ? %3F, # %23, [ %5B, ] %5D, @ %40, % %25)"
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:
        if "@" in url:
            # (urllib's reason may quote a piece of the password)
            return f"cannot be read: a '[', ']', '/', '?' or '#' in its password or user name ends them early; {encode}"
        return f"cannot be read ({error})"
    if parts.scheme not in ("redis", "rediss", "unix"):
        return "is no Redis URL: redis://HOST:PORT/DB (rediss:// for TLS, unix:///PATH?db=N for a socket)"
    if _credentials_cut(url.strip()):
        return f"has a '/', '?' or '#' in its password or user name, which ends them early; {encode}"
    numbers = [unquote(value) for name, _, value in (field.partition("=") for field in parts.query.split("&")) if name == "db"]
    if parts.scheme != "unix" and parts.path.strip("/"):
        numbers.append(unquote(parts.path).strip("/"))
    for number in numbers:
        if not number.isdigit():
            return f"names database {number!r}, which is no number (redis-py would use database 0 instead)"
    return None


def safe_name(value: str, fallback: str) -> str:
    """``value`` reduced to letters, digits, ``.``, ``_`` and ``-``: safe in file names, Redis keys and key patterns."""
    return _UNSAFE.sub("-", value).strip("-") or fallback


def worker_name(settings: BaseSettings) -> str:
    """This worker's name: ``BS_WORKER_NAME``, else the host name. It must stay the same across restarts
    of one worker (its unconfirmed articles are settled by that name) and differ between workers."""
    return safe_name(str(settings.get("BS_WORKER_NAME") or socket.gethostname()), "worker")


def key_prefix(settings: BaseSettings) -> str:
    """The prefix of every key (``BS_REDIS_PREFIX``)."""
    return safe_name(str(settings.get("BS_REDIS_PREFIX") or "bs"), "bs")


def run_name(settings: BaseSettings, spider_name: str) -> str:
    """The run whose queue and duplicate filter the workers share (``BS_REDIS_RUN``, else the spider's name)."""
    return safe_name(str(settings.get("BS_REDIS_RUN") or spider_name), spider_name)


@dataclass(frozen=True)
class RunKeys:
    """The keys of one run; the seen-store's keys (crawler/state.py) do not belong to any run."""

    requests: str
    dupefilter: str
    workers: str

    @property
    def base(self) -> str:
        return self.workers.rsplit(":", 1)[0]

    @property
    def inflight_owners(self) -> str:
        """The set of workers that may have in-flight entries."""
        return f"{self.base}:inflight-owners"

    def inflight(self, worker: str) -> str:
        """The hash of requests ``worker`` took from the queue and has not finished (field: an id, value: the request)."""
        return f"{self.base}:inflight:{worker}"

    @property
    def arguments(self) -> str:
        """The spider and its arguments of the run (JSON), set by the worker that started it."""
        return f"{self.base}:arguments"

    @property
    def pattern(self) -> str:
        """A SCAN pattern matching every key of the run."""
        return self.requests.rsplit(":", 1)[0] + ":*"


def run_keys(prefix: str, run: str) -> RunKeys:
    base = f"{prefix}:run:{run}"
    return RunKeys(requests=f"{base}:requests", dupefilter=f"{base}:dupefilter", workers=f"{base}:workers")


def configure(settings: BaseSettings, spider_name: str) -> None:
    """Switch a discovery spider to scrapy-redis when ``REDIS_URL`` is set; called from its ``update_settings``.

    Set with the spider's priority, so ``-s`` on the command line still wins over each of them.
    """
    if not enabled(settings):
        return
    keys = run_keys(key_prefix(settings), run_name(settings, spider_name))
    values: dict[str, Any] = {
        "SCHEDULER": SCHEDULER,
        "DUPEFILTER_CLASS": DUPEFILTER,
        # A worker that finishes must not flush what the others still work on.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        # Every worker writes its own file; `scrapy merge` makes one of them.
        "BS_DEFAULT_FEED": settings.get("BS_REDIS_DEFAULT_FEED"),
        "BS_SEEN_STORE": "crawler.distributed.store.RedisSeenStore",
    }
    for name, value in values.items():
        settings.set(name, value, priority="spider")
    if LOST_PIPELINE not in settings.getdict("ITEM_PIPELINES"):
        # At a priority no Scrapy version overwrites (crawler/priorities.py).
        merge_components(settings, "ITEM_PIPELINES", {LOST_PIPELINE: LOST_PIPELINE_ORDER})
    if INFLIGHT_MIDDLEWARE not in settings.getdict("SPIDER_MIDDLEWARES"):
        merge_components(settings, "SPIDER_MIDDLEWARES", {INFLIGHT_MIDDLEWARE: INFLIGHT_MIDDLEWARE_ORDER})
    if EMPTY_RUN_EXTENSION not in settings.getdict("EXTENSIONS"):
        merge_components(settings, "EXTENSIONS", {EMPTY_RUN_EXTENSION: 500})


def redacted(url: str) -> str:
    """``url`` without its password, for messages: the one before the host, and the one redis-py also
    takes from the query (``redis://host:6379/0?password=...``)."""
    try:
        parts = urlsplit(url)
        cut = _credentials_cut(url)
    except ValueError:
        parts, cut = None, True
    if parts is None or cut:
        # A password's raw '/', '?', '#' or '[' ended it early (url_problem): all before the host is hidden, and
        # what follows the host, which may hold the rest of it.
        scheme, mark, rest = url.partition("://")
        host = re.split(r"[/?#]", rest.rpartition("@")[2], maxsplit=1)[0] if "@" in rest else ""
        return f"{scheme}{mark}***@{host}/***" if host else f"{scheme}{mark}***"
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    fields = parts.query.split("&") if parts.query else []
    query = "&".join(
        f"{name}=***" if unquote(name.replace("+", " ")).strip().lower() == "password" else field
        for field in fields
        for name in [field.partition("=")[0]]
    )
    # In place, not rebuilt: urlunsplit writes unix:///path as unix:/path.
    head, mark, tail = url.partition("?")
    head = head.replace(parts.netloc, netloc, 1)
    if query != parts.query:
        tail = tail.replace(parts.query, query, 1)
    return head + mark + tail


def connect(settings: BaseSettings) -> Redis:
    """A client for ``REDIS_URL`` with ``REDIS_PARAMS``' options, that gives up within seconds
    (``BS_REDIS_TIMEOUT``, unless REDIS_PARAMS sets its own); it connects on first use."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    timeout = settings.getfloat("BS_REDIS_TIMEOUT", 5.0)
    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    # REDIS_PARAMS' own timeouts, password, health checks... win: the user set them for this Redis.
    options.update(redis_params(settings))
    return redis.Redis.from_url(
        str(settings.get("REDIS_URL")), retry=Retry(ExponentialBackoff(cap=0.5, base=0.1), CLIENT_RETRIES), **options
    )


def redis_problem(settings: BaseSettings, *, run: bool = False) -> str | None:
    """None when the run is not distributed or Redis answers; else a one-line reason.

    With ``run`` (a crawl, not a command that only reads or deletes keys) Redis must also take writes
    and keep every key: a read-only replica, a full Redis or one that cannot save failed the worker at
    its first write, and one that evicts keys when full loses seen articles and claims, which emits
    articles again.
    """
    if not enabled(settings):
        return None
    url = str(settings.get("REDIS_URL"))
    from redis.exceptions import AuthenticationError, RedisError, ResponseError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    try:
        client = connect(settings)
        try:
            client.ping()
            if run:
                return (
                    _unfit_for_runs(client, redacted(url), f"{key_prefix(settings)}:probe:{worker_name(settings)}")
                    or _emptied(client, settings)
                    or _older_state(client, settings)
                )
        finally:
            client.close()
    except (ResponseError, AuthenticationError) as error:
        # Redis answered, with a refusal (a password needed, a command not allowed): no network trouble.
        return f"Redis at {redacted(url)} {refusal(error, settings)}; nothing was fetched"
    except (RedisError, OSError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        if urlsplit(url).scheme == "rediss" and isinstance(error, (TimeoutError, RedisTimeoutError, ssl.SSLError)):
            # A Redis without TLS reads the TLS handshake as a command it waits to see the end of: the
            # connection times out as if no server were there.
            reason += "; rediss:// asks for TLS, which a Redis without TLS never answers: redis:// is for such a one"
        elif urlsplit(url).scheme == "rediss" and "certificate_verify_failed" in reason.lower() and "mismatch" not in reason.lower():
            # A certificate of its own (self-signed, a company's CA), which the system's authorities do not sign.
            joiner = "&" if urlsplit(url).query else "?"
            reason += (
                f"; to trust the certificate of its own, add {joiner}ssl_ca_certs=/path/to/ca.pem to REDIS_URL (the file "
                f"that signed it, or the certificate itself), or, trusting any, {joiner}ssl_cert_reqs=none"
            )
        elif urlsplit(url).scheme == "rediss" and "mismatch" in reason.lower():
            # A trusted certificate made for another name (the server's host name, reached by its address,
            # or the other way round): OpenSSL's words alone did not say that the name in REDIS_URL is the cause.
            joiner = "&" if urlsplit(url).query else "?"
            reason += (
                f"; the certificate is made for another name than {urlsplit(url).hostname}: give REDIS_URL the host "
                f"name the certificate names, or, not checking it, add {joiner}ssl_check_hostname=false"
            )
        elif urlsplit(url).scheme == "redis" and any(mark in reason.lower() for mark in _PLAIN_TO_TLS):
            # A Redis that takes TLS alone drops a plain connection at its first bytes.
            reason += "; a Redis that takes TLS only closes a redis:// connection so: rediss:// is for such a one"
        return f"Redis at {redacted(url)} is unreachable ({reason}); nothing was fetched"
    return None


# redis-py's words for a connection the server closed at once, as a Redis with TLS only closes a plain one.
_PLAIN_TO_TLS = ("connection reset by peer", "connection closed by server")
# Redis's refusals of a client's password, or of a client without one. redis-py's HELLO (RESP3) without a
# password gets "HELLO must be called with the client already authenticated, …", which names no password
# at all; Redis before 6 says "invalid password", from 6 on "invalid username-password pair".
_NO_PASSWORD = ("authentication required", "hello must be called with the client already authenticated")
_WRONG_PASSWORD = ("invalid password", "invalid username-password pair", "wrongpass")


def _gives_password(settings: BaseSettings) -> bool:
    url = str(settings.get("REDIS_URL") or "")
    parts = urlsplit(url)
    if parts.password or any(unquote(name).strip().lower() == "password" for name, _, value in (f.partition("=") for f in parts.query.split("&")) if value):
        return True
    try:
        return bool(redis_params(settings).get("password"))
    except ValueError:
        return False


def refusal(error: Exception, settings: BaseSettings) -> str:
    """What Redis's refusal ``error`` means to the user: ``refused the crawler (…)``, naming the password
    it wants or refused (never its value)."""
    reason = " ".join(str(error).split()) or type(error).__name__
    words = reason.lower()
    if any(mark in words for mark in _NO_PASSWORD + _WRONG_PASSWORD):
        # The URL's own scheme and user name in the form to follow: redis:// to a TLS Redis is refused as a
        # plain connection, and a password without its ACL user is tried as the default user's.
        parts = urlsplit(str(settings.get("REDIS_URL") or ""))
        scheme = parts.scheme if parts.scheme in ("redis", "rediss") else "redis"
        if not _gives_password(settings):
            form = (
                "unix:///PATH?password=PASSWORD"
                if parts.scheme == "unix"
                else f"{scheme}://{parts.username or ''}:PASSWORD@HOST:PORT/DB"
            )
            return f"wants a password, and REDIS_URL gives none ({reason}): give it as {form} (or REDIS_PARAMS' password)"
        return f"refused the password given ({reason}): check REDIS_URL's password (and user name, {scheme}://USER:PASSWORD@HOST:PORT/DB)"
    return f"refused the crawler ({reason})"


def write_refusal(error: BaseException) -> str | None:
    """Redis answering that it takes no writes (full at its maxmemory, a read-only replica, unable to save
    to disk) in words a user can act on; None for any other error. Such a Redis is not lost: a restart
    before it takes writes again stops at once the same way."""
    from redis.exceptions import OutOfMemoryError, ReadOnlyError, ResponseError

    reason = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, OutOfMemoryError):
        return f"is full ({reason}): free memory in it or raise its maxmemory"
    if isinstance(error, ReadOnlyError):
        return f"is a read-only replica now ({reason}): point REDIS_URL at the primary"
    # redis-py has no class of its own for MISCONF: its code stays in the text (after a pipeline's note).
    if isinstance(error, ResponseError) and re.search(r"(^|: )MISCONF ", str(error)):
        return f"cannot save to disk and takes no writes ({reason}): free its disk or fix its persistence"
    return None


def _unfit_for_runs(client: Redis, url: str, probe_key: str) -> str | None:
    from redis.exceptions import ResponseError

    try:
        memory = client.info("memory")
    except ResponseError:
        memory = {}  # INFO not allowed (ACL, a renamed command): the write below still tells a full Redis
    policy = str(memory.get("maxmemory_policy", "noeviction"))
    if int(memory.get("maxmemory", 0) or 0) > 0 and policy != "noeviction":
        # A volatile-* policy evicts only keys with an expiry: the seen-store has none, but the claims and
        # the runs' alive marks do, and a live run's claim lost is an article two workers emit.
        lost = (
            "the claims and the runs' alive marks (keys with an expiry) would be lost and articles emitted twice"
            if policy.startswith("volatile-")
            else "the seen-store and the claims would be lost and articles emitted again"
        )
        return f"Redis at {url} evicts keys when it is full (maxmemory-policy {policy}): {lost}; set maxmemory-policy noeviction; nothing was fetched"
    try:
        client.set(probe_key, 1, ex=60)
        client.delete(probe_key)
    except ResponseError as error:
        reason = " ".join(str(error).split())
        return f"Redis at {url} does not take writes ({reason}); nothing was fetched"
    return None


# Per state dir: the epoch (crawler/distributed/store.py, RedisDataLost) each Redis and prefix had at
# this machine's last run, to tell a seen-store emptied between runs (a Redis restarted without
# persistence) from a first run, before every article is emitted again.
EPOCHS_FILE = "redis-epochs.json"


def epoch_key(prefix: str) -> str:
    """The key of the token that tells a Redis store from its emptied self (crawler/distributed/store.py)."""
    return f"{prefix}:epoch"


def epochs_file(settings: BaseSettings) -> tuple[Path, str]:
    """Where this machine notes the epochs it ran on, and the entry of ``settings``' Redis and prefix."""
    from crawler.incremental.store import state_dir

    place = f"{redacted(str(settings.get('REDIS_URL')))} {key_prefix(settings)}"
    return state_dir(settings) / EPOCHS_FILE, place


def _read_notes(path: Path) -> tuple[dict[str, Any], bool]:
    """The entries of the notes file ``path`` (:data:`EPOCHS_FILE`, :data:`GENERATIONS_FILE`), and whether it
    is damaged (cut by a full disk or a crash, bytes flipped): then the entries before the damage."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}, False  # none yet, or unreadable (the state dir's own checks report that)
    text = raw.decode("utf-8", errors="replace")
    try:
        known = json.loads(text)
    except ValueError:
        return _readable_entries(text), True
    return (known, False) if isinstance(known, dict) else ({}, True)


def _readable_entries(text: str) -> dict[str, Any]:
    """The whole ``"key": value`` pairs at the start of a JSON object cut or damaged further on."""
    decoder, found = json.JSONDecoder(), dict[str, Any]()
    at = text.find("{") + 1
    if at == 0:
        return {}
    while True:
        at = _skip(text, at, " \t\r\n,")
        try:
            key, at = decoder.raw_decode(text, at)
            at = _skip(text, at, " \t\r\n")
            if not isinstance(key, str) or text[at:at + 1] != ":":
                return found
            value, at = decoder.raw_decode(text, _skip(text, at + 1, " \t\r\n"))
        except ValueError:
            return found
        found[key] = value


def _skip(text: str, at: int, characters: str) -> int:
    while at < len(text) and text[at] in characters:
        at += 1
    return at


def _notes_to_update(path: Path) -> tuple[dict[str, Any], Path | None]:
    """The entries of ``path`` to write back with this worker's, and where a damaged file was set aside
    (``<name>.corrupt-<time>``, one WARNING): read as empty and written over, it lost the other workers'
    notes, and with them their runs' checks for a Redis emptied or gone back."""
    known, damaged = _read_notes(path)
    if not damaged:
        return known, None
    aside = path.with_name(f"{path.name}.corrupt-{datetime.now(timezone.utc):%Y%m%dT%H%M%S.%fZ}")
    try:
        os.replace(path, aside)
    except OSError as error:
        logger.warning("%s is damaged and cannot be set aside (%s); its %d readable entries are kept, the rest lost",
                       path, error.strerror or error, len(known))
        return known, path
    logger.warning("%s is damaged (cut or overwritten): set aside as %s; its %d readable entries are kept",
                   path, aside.name, len(known))
    return known, aside


def _read_epochs(path: Path) -> dict[str, str]:
    known, _ = _read_notes(path)
    return {str(k): v for k, v in known.items() if isinstance(v, str)}


def remember_epoch(where: tuple[Path, str], epoch: str) -> Path | None:
    """Note the epoch this run found at ``where`` (:func:`epochs_file`; written whole: several workers
    may share the state dir); where a damaged file was set aside, None when none was."""
    path, place = where
    known, aside = _notes_to_update(path)
    if known.get(place) == epoch and aside is None:
        return None
    known[place] = epoch
    _write_whole(path, known)
    return aside


def _write_whole(path: Path, known: dict[str, Any]) -> None:
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        # mkstemp makes it 0600 whatever the umask: another user sharing the state dir could not read it.
        os.fchmod(handle, file_mode())
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(known, out)
        os.replace(temporary, path)
    except OSError:
        # The state dir's own checks report an unusable one; this only loses the next run's check. Not
        # the temporary file, left at each run on a full disk.
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


# Per state dir: the highest count this machine's worker saw of itself in each Redis and prefix, with
# the epoch it saw it under. Redis restarted from an older snapshot or backup keeps its epoch but has
# forgotten the articles confirmed since, and a run on it emitted them again, unsaid. Each worker's count
# (a field of ``<prefix>:generations`` named after the worker) only grows: one step at each article it
# confirms, in the confirmation's own script (no round trip of its own). A count below this machine's note is
# a Redis gone back. Not its starts: a run that confirmed nothing left nothing a later run would emit again,
# and counted, a quiet night's runs after Redis's last snapshot refused every run once Redis was restarted
# from it. The worker's own, not one shared counter: other workers' runs since the restart would have
# carried a shared one past the note, and the restart gone unseen.
GENERATIONS_FILE = "redis-generations.json"
# Set for one run, a Redis found at an older state is taken as it is, its forgotten articles emitted again.
ACCEPT_OLDER_STATE = "BS_REDIS_ACCEPT_OLDER_STATE"


def generation_key(prefix: str) -> str:
    """The hash of the workers' counts (field: the worker's name) that tells a Redis store from an older copy
    of itself (:data:`GENERATIONS_FILE`)."""
    return f"{prefix}:generations"


def generations_file(settings: BaseSettings) -> tuple[Path, str]:
    """Where this machine notes the counts it saw, and the entry of ``settings``' Redis, prefix and worker."""
    path, place = epochs_file(settings)
    return path.with_name(GENERATIONS_FILE), f"{place} {worker_name(settings)}"


def noted_generation(where: tuple[Path, str], epoch: str) -> int | None:
    """The highest generation this machine saw at ``where`` under ``epoch``; None for none (a new machine,
    or a Redis emptied since, which the epoch tells)."""
    path, place = where
    entry = _read_notes(path)[0].get(place)
    if isinstance(entry, dict) and entry.get("epoch") == epoch and type(entry.get("generation")) is int:
        return int(entry["generation"])
    return None


def remember_generation(where: tuple[Path, str], epoch: str, generation: int, *, lower: bool = False) -> Path | None:
    """Note ``generation`` at ``where`` unless a higher one of ``epoch`` is noted (several workers may share
    the state dir); with ``lower``, in its place (the user accepted Redis's older state). Where a damaged
    file was set aside; None when none was."""
    path, place = where
    known, aside = _notes_to_update(path)
    noted = noted_generation(where, epoch) if aside is None else None
    if noted is not None and (noted == generation or (noted > generation and not lower)):
        return None
    entry = known.get(place)
    if aside is not None and not lower and isinstance(entry, dict) and entry.get("epoch") == epoch \
            and type(entry.get("generation")) is int and entry["generation"] > generation:
        generation = entry["generation"]  # (the damaged file's own higher note, kept)
    known[place] = {"epoch": epoch, "generation": generation}
    _write_whole(path, known)
    return aside


def _older_state(client: Redis, settings: BaseSettings) -> str | None:
    prefix, worker = key_prefix(settings), worker_name(settings)
    epoch = client.get(epoch_key(prefix))
    if epoch is None:
        return None
    where = generations_file(settings)
    noted = noted_generation(where, epoch.decode() if isinstance(epoch, bytes) else str(epoch))
    count = int(client.hget(generation_key(prefix), worker) or 0)
    if noted is None or count >= noted or settings.getbool(ACCEPT_OLDER_STATE):
        return None
    place = where[1].rsplit(" ", 1)[0].replace(" ", " (prefix ", 1)
    return (
        f"Redis at {place}) went back to an older state since this machine's last run (it counts {count} confirmed "
        f"article(s) of worker {worker} in {generation_key(prefix)}, this machine counted {noted}): "
        f"restarted from an older snapshot or backup, it has forgotten up to {noted - count} article(s) emitted since, "
        f"which a run now would emit again; restore Redis's newer data, or accept its state with "
        f"-s {ACCEPT_OLDER_STATE}=1 for one run (those articles are emitted again); nothing was fetched"
    )


def _emptied(client: Redis, settings: BaseSettings) -> str | None:
    path, place = epochs_file(settings)
    known = _read_epochs(path).get(place)
    if known is None:
        return None
    current = client.get(epoch_key(key_prefix(settings)))
    if isinstance(current, bytes):
        current = current.decode()
    if current == known:
        return None
    return (
        f"the seen-store in Redis at {place.replace(' ', ' (prefix ', 1)}) was emptied since this machine's last run "
        "(Redis restarted without persistence, or flushed): a run now would emit every article again; to start "
        f"afresh on purpose, delete {path}; nothing was fetched"
    )
