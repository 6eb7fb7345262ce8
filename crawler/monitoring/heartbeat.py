"""Pings for cron monitors (healthchecks.io style): ``BS_HEARTBEAT_URL`` on success, ``<url>/fail`` on failure, never failing the run."""

from __future__ import annotations

import base64
import logging
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.defer import Deferred

from crawler import stats as stat
from crawler.monitoring import verdict
from crawler.monitoring.lookonly import looking_only
from crawler.monitoring.signals import run_judged

logger = logging.getLogger(__name__)


def ping_url(base: str, success: bool, start: bool = False) -> str:
    """``<url>``, ``<url>/fail`` or ``<url>/start`` (query string kept at the end)."""
    parts = urlsplit(base)
    suffix = "/start" if start else "" if success else "/fail"
    path = parts.path.rstrip("/") + suffix if suffix else parts.path
    return parts._replace(path=path).geturl()


def where(url: str) -> str:
    """The host of a ping URL, for the log: its path is the check's secret, and so is a password before the host."""
    return urlsplit(url).netloc.rpartition("@")[2] or "?"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a 307 or 308 as the status says, POSTing the ping again (urllib gives up on it: behind a
    proxy that moved the monitor every ping failed); the URL's credentials go to its own host only."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new: urllib.request.Request | None
        if code in (307, 308) and req.get_method() == "POST":
            new = urllib.request.Request(newurl, data=req.data, method="POST", headers=dict(req.headers), unverifiable=True)
        else:
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not _keeps_credentials(req.full_url, newurl):
            new.remove_header("Authorization")
        return new


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _keeps_credentials(old: str, new: str) -> bool:
    """Whether a redirect from ``old`` to ``new`` may carry the ping's basic auth: the same origin, or the
    same host moved from http to https on the default ports (a monitor behind a proxy that upgrades every
    request: without them every ping was a 401)."""
    was, now = _origin(old), _origin(new)
    return was == now or (was == ("http", now[1], 80) and now[0] == "https" and now[2] == 443)


def _post(url: str, body: str, timeout: float, user_agent: str) -> int:
    parts = urlsplit(url)
    headers = {"User-Agent": user_agent, "Content-Type": "text/plain; charset=utf-8"}
    if "@" in parts.netloc:
        # urllib reads "user:password@host" as the host's name (a DNS look-up of the password): the
        # credentials go in the Authorization header, the URL without them.
        credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    # A path or query with letters beyond ASCII (`/ping/prüfung`) failed every ping ("ordinal not in
    # range(128)"): sent percent-encoded in UTF-8, as a browser sends it. What is encoded already stays.
    parts = urlsplit(url)
    url = parts._replace(path=_ascii(parts.path), query=_ascii(parts.query)).geturl()
    # A reason may quote a run's argument whose bytes are no UTF-8 (a file name): replaced, not a failed ping.
    request = urllib.request.Request(url, data=body.encode("utf-8", "replace"), method="POST", headers=headers)
    with urllib.request.build_opener(_Redirects).open(request, timeout=timeout) as response:
        response.read(1024)
        return int(response.status)


def _ascii(text: str) -> str:
    return "".join(char if char.isascii() else quote(char, safe="", errors="surrogateescape") for char in text)


def send(url: str, body: str, timeout: float, user_agent: str) -> int:
    """POST ``body`` to ``url``; the HTTP status (an exception when there was none), within ``timeout`` seconds in all.

    The socket's timeout bounds each read, not the ping: a monitor that trickles its answer, or a
    name that takes long to resolve, held the run's end for as long as it liked. The ping goes on in a
    daemon thread, which never holds the process's exit.
    """
    # Past TIMEOUT_MAX (some 292 years; BS_HEARTBEAT_TIMEOUT takes up to 1e12 s) the socket and the wait
    # raised OverflowError: every ping was reported failed.
    timeout = min(timeout, threading.TIMEOUT_MAX)
    outcome: dict[str, Any] = {}

    def post() -> None:
        try:
            outcome["status"] = _post(url, body, timeout, user_agent)
        except BaseException as error:  # noqa: BLE001 - handed to the caller as it is
            outcome["error"] = error

    thread = threading.Thread(target=post, name="heartbeat", daemon=True)
    thread.start()
    thread.join(timeout)
    if "error" in outcome:
        raise outcome["error"]
    if "status" not in outcome:
        raise TimeoutError("timed out")
    return int(outcome["status"])


def heartbeat_url(settings: BaseSettings) -> str:
    """``BS_HEARTBEAT_URL``; NotConfigured when it is empty or not http(s)."""
    # Spaces around it (a URL pasted into a crontab or an env file) are no part of it.
    url = str(settings.get("BS_HEARTBEAT_URL") or "").strip()
    if not url:
        raise NotConfigured  # no message: Scrapy would log a warning for every run without a monitor
    # Never the URL itself in the message: its path is the check's secret.
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1/x": a traceback where the crawl command says one line
        raise NotConfigured("BS_HEARTBEAT_URL is no URL that can be read, like https://hc-ping.com/<uuid>") from None
    scheme = parts.scheme
    if scheme and scheme not in ("http", "https"):
        raise NotConfigured(f"BS_HEARTBEAT_URL must be an http(s) URL, not {scheme!r}")
    if not scheme or not parts.hostname:
        raise NotConfigured("BS_HEARTBEAT_URL must be an http(s) URL with a host, like https://hc-ping.com/<uuid>")
    # Every ping failed on these, each with a WARNING quoting the URL, the check's secret in it.
    try:
        parts.port
    except ValueError:
        raise NotConfigured("BS_HEARTBEAT_URL has a port that is no number from 1 to 65535") from None
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise NotConfigured("BS_HEARTBEAT_URL holds a space or a control character (percent-encode it: %20)")
    return url


def heartbeat_problem(settings: BaseSettings) -> str | None:
    """What is wrong with ``BS_HEARTBEAT_URL``, in one line; None when it is right or empty (no monitor).

    The crawl command refuses the run with it: the extension, switched off by it, said so in one
    WARNING of a log nobody reads, run after run, while the monitor, never pinged, called the crawler down.
    """
    try:
        heartbeat_url(settings)
    except NotConfigured as error:
        return str(error) or None
    return None


def failure_reason(error: BaseException, url: str = "") -> str:
    """Why a ping failed, in a few words, without the secrets of ``url`` (an error may quote its path)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    reason = str(getattr(error, "reason", None) or error) or type(error).__name__
    parts = urlsplit(url)
    for secret in (parts.path.lstrip("/"), parts.netloc.rpartition("@")[0], parts.query):
        if len(secret) > 1:
            reason = reason.replace(secret, "…")
    if "hostname mismatch" in reason.lower():
        # OpenSSL's words alone did not say that the name in the URL is what to change.
        reason += (f"; the monitor's certificate is made for another name than {parts.hostname}: give "
                   "BS_HEARTBEAT_URL the host name the certificate names")
    return reason


def ping_refused(settings: BaseSettings, spider: str, status: int, reason: str, refused: bool = True) -> str | None:
    """``<url>/fail`` for a run refused (or, ``refused`` false, failed) before it started (the extension
    never pinged it); why the ping failed, or None."""
    try:
        url = ping_url(heartbeat_url(settings), False)
    except NotConfigured as error:
        return f"no heartbeat sent: {error}" if str(error) else None
    body = f"{spider}: {'refused' if refused else 'failed'} before it started: exit={status} ({reason})"
    try:
        send(url, body, settings.getfloat("BS_HEARTBEAT_TIMEOUT"), str(settings.get("USER_AGENT")))
    except Exception as error:  # noqa: BLE001 - a ping never changes the outcome; any failure is one line
        return f"heartbeat to {where(url)} failed ({failure_reason(error, url)})"
    return None


class HeartbeatExtension:
    """At the end of a run (after the verdict), ping the cron monitor; optionally ``<url>/start`` when it opens."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        assert crawler.stats is not None
        self.url = url
        self.stats: StatsCollector = crawler.stats
        self.timeout = crawler.settings.getfloat("BS_HEARTBEAT_TIMEOUT")
        self.ping_start = crawler.settings.getbool("BS_HEARTBEAT_START")
        self.user_agent = str(crawler.settings.get("USER_AGENT"))
        self.opened = False
        self.spider_name = ""
        # The run's end was pinged (or needs no ping from here: it closed, and no verdict judges it).
        self.ended = False
        # The verdict extension is on: it judges (and this pings) the run once its feeds are stored.
        self.judged_later = False
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.run_judged, signal=run_judged)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HeartbeatExtension:
        if looking_only():
            # `scrapy check` and `scrapy parse` fetch sample pages, not a run (before, a parse pinged the
            # cron monitor that the run was ok, whatever the cron runs did).
            raise NotConfigured
        return cls(crawler, heartbeat_url(crawler.settings))

    async def spider_opened(self, spider: Spider) -> None:
        self.opened = True
        self.spider_name = spider.name
        self.judged_later = self.crawler.get_extension(verdict.RunVerdictExtension) is not None
        from twisted.internet import reactor  # the one the crawler installed

        reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]
        if self.ping_start:
            await maybe_deferred_to_future(self._ping(ping_url(self.url, True, start=True), f"{spider.name} started"))

    async def run_judged(self, spider: Spider, status: int, summary: str, **kwargs: Any) -> None:
        if not self.opened:
            return  # failed before its spider opened: the crawl command pings it, naming the exception
        self.ended = True
        await maybe_deferred_to_future(self._ping(ping_url(self.url, status == verdict.EXIT_OK), f"{spider.name}: {summary}"))

    def spider_closed(self, spider: Spider) -> None:
        if not self.judged_later:
            self.ended = True  # the verdict is off: no judgement, no end to ping, as before

    def reactor_stopping(self) -> Deferred[None] | None:
        """The reactor stops before the run was judged: Scrapy's forced shutdown (Ctrl-C or SIGTERM a
        second time). Unpinged, the monitor saw the run as still going (after its start ping) until its
        grace time ran out; the run's history records it as forced to stop, and so does the ping."""
        if not self.opened or self.ended:
            return None
        self.ended = True
        _, status, _, summary = verdict.forced_stop(self.stats.get_stats())
        # The reactor waits for this Deferred before it stops its threads (a "before" trigger).
        return self._ping(ping_url(self.url, status == verdict.EXIT_OK), f"{self.spider_name}: {summary}")

    def _ping(self, url: str, body: str) -> Deferred[None]:
        # In a thread: a slow monitor must not stall the reactor; the engine waits for the Deferred.
        done: Deferred[Any] = threads.deferToThread(send, url, body, self.timeout, self.user_agent)  # type: ignore[no-untyped-call,unused-ignore]
        done.addCallbacks(self._sent, self._failed, callbackArgs=(url,), errbackArgs=(url,))
        return done

    def _sent(self, status: int, url: str) -> None:
        self.stats.inc_value(stat.HEARTBEAT_SENT)
        logger.info("Heartbeat sent to %s (HTTP %d)", where(url), status)

    def _failed(self, failure: Any, url: str) -> None:
        self.stats.inc_value(stat.HEARTBEAT_FAILED)
        logger.warning("Heartbeat to %s failed (%s); the run's own status is unaffected", where(url), failure_reason(failure.value, url))
