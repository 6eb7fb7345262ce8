"""Spidermon for teams that use it (the ``[monitoring]`` extra): a suite whose pass/fail is our exit status, and item validation by the shipped JSON Schema.

``-s SPIDERMON_ENABLED=True`` switches it on (the add-on below adds Spidermon's extension, its
validation pipeline and our suite); Spidermon's own settings choose the actions (email, Slack,
Sentry …) through ``BS_SPIDERMON_FAILED_ACTIONS`` / ``BS_SPIDERMON_FINISHED_ACTIONS``.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from typing import Any, NoReturn, cast

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler import stats as stat
from crawler.monitoring.lookonly import looking_only

SUITE = "crawler.monitoring.spidermon.RunVerdictMonitorSuite"
SPIDERMON_EXTENSION = "spidermon.contrib.scrapy.extensions.Spidermon"
FORCED_STOP_EXTENSION = "crawler.monitoring.spidermon.SpidermonAtForcedStop"
VALIDATION_PIPELINE = "spidermon.contrib.scrapy.pipelines.ItemValidationPipeline"
ITEMS_WITH_ERRORS = "spidermon/validation/items/errors"  # Spidermon's own stat name
# After the verdict (900) and the run history, so the suite reads the exit status.
EXTENSION_ORDER = 980
# After the seen-store's pipeline: exactly the items that are written are validated.
PIPELINE_ORDER = 800


def shipped_schema() -> dict[str, Any]:
    """The shipped JSON Schema, read through importlib.resources: deployed to scrapyd the project is a
    zipped egg, where the file has no path Spidermon could open (every run failed at start-up)."""
    schema: dict[str, Any] = json.loads((resources.files("crawler.schema") / "article.schema.json").read_text(encoding="utf-8"))
    return schema


class SpidermonAddon:
    """Adds Spidermon's extension and validation pipeline and our suite when ``SPIDERMON_ENABLED`` is on."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("SPIDERMON_ENABLED") or looking_only():
            # (`scrapy check` and `scrapy parse` are no runs: the suite failed for want of a verdict,
            # and its failure actions mailed the team at every contract check.)
            return
        try:
            import spidermon  # noqa: F401
        except ImportError:
            raise NotConfigured("SPIDERMON_ENABLED needs Spidermon: pip install 'bs-crawler[monitoring]'") from None
        settings["EXTENSIONS"][SPIDERMON_EXTENSION] = EXTENSION_ORDER
        settings["EXTENSIONS"][FORCED_STOP_EXTENSION] = EXTENSION_ORDER + 1
        settings["ITEM_PIPELINES"][VALIDATION_PIPELINE] = PIPELINE_ORDER
        # At engine stop, not spider close: the verdict may still wait for a feed to be stored
        # while the spider_closed handlers run, and the suite reads its exit status. Added at the
        # list's own priority: set at the add-on's, it was lost whenever the user listed suites of
        # their own in settings.py or with -s (both rank above an add-on).
        settings.add_to_list("SPIDERMON_ENGINE_STOP_MONITORS", SUITE)
        if not settings.get("SPIDERMON_VALIDATION_SCHEMAS"):
            from crawler.extraction import Article

            # Spidermon keys its validators by the item class itself.
            settings.set("SPIDERMON_VALIDATION_SCHEMAS", {Article: shipped_schema()}, priority="addon")


class SpidermonAtForcedStop:
    """Runs Spidermon's engine-stop suites (ours, and its failure email) when the run is forced to stop.

    A second Ctrl-C or SIGTERM (systemd's stop, scrapyd's cancel twice) stops the reactor without the
    engine_stopped signal Spidermon runs them at: the run ended with exit 1 and no monitor ran, so a team
    whose failure email is Spidermon's heard nothing of it (the heartbeat and the run history told).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ended = False
        self.forced = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpidermonAtForcedStop:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import reactor  # the one the crawler installed

        reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def engine_stopped(self) -> None:
        self.ended = True  # Spidermon ran the suites itself

    def reactor_stopping(self) -> None:
        if self.ended:
            return
        self.ended = self.forced = True
        from spidermon.contrib.scrapy.extensions import Spidermon

        extension = self.crawler.get_extension(Spidermon)
        if extension is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        start = stats.get_value("start_time")
        if stats.get_value("finish_time") is None and isinstance(start, datetime):
            # Scrapy's own at the spider's close, which a forced stop never reaches: Spidermon's email
            # report subtracts it (a TypeError, and no email).
            stats.set_value("finish_time", datetime.now(tz=start.tzinfo))
        # Once only, should the engine still stop as the reactor does.
        self.crawler.signals.disconnect(extension.engine_stopped, signal=signals.engine_stopped)
        # Its email action's sending is one more trigger of this phase, which the reactor waits for.
        extension.engine_stopped()


def spidermon_problem(settings: BaseSettings) -> str | None:
    """What keeps ``SPIDERMON_ENABLED`` from switching Spidermon on, in one line; None when nothing does.

    The crawl command refuses the run with it: the add-on, switched off by it, said so in one WARNING
    of a log nobody reads, and the run went on with no monitor and no action (no email on failure).
    """
    try:
        enabled = settings.getbool("SPIDERMON_ENABLED")
    except ValueError:
        return f"SPIDERMON_ENABLED={settings.get('SPIDERMON_ENABLED')!r} is not true or false (a switch is 1 or 0, true or false)"
    if not enabled:
        return None
    try:
        import spidermon  # noqa: F401
    except ImportError:
        return "SPIDERMON_ENABLED needs Spidermon: pip install 'bs-crawler[monitoring]'"
    return _template_problem(settings)


# Spidermon's email settings it renders as Jinja templates when the action runs.
TEMPLATE_SETTINGS = ("SPIDERMON_EMAIL_SUBJECT", "SPIDERMON_BODY_TEXT", "SPIDERMON_BODY_HTML")


def _template_problem(settings: BaseSettings) -> str | None:
    """A Spidermon email template that does not parse, in one line; None when all do.

    Rendered only when the email is sent, a template with a typo (``{{ data.spider.name``) was found
    on the day a run failed: no email, a traceback in the log, and every run before it said ok.
    """
    try:
        import jinja2
    except ImportError:
        return None  # Spidermon's email actions need it; its own NotConfigured says so
    for name in TEMPLATE_SETTINGS:
        text = settings.get(name)
        if not isinstance(text, str) or not text:
            continue
        try:
            jinja2.Environment().parse(text)
        except jinja2.TemplateSyntaxError as error:
            return f"{name} is no template Spidermon can render (line {error.lineno}: {error.message})"
    return None


def _monitors() -> tuple[type[Any], type[Any]]:
    """The two monitors, built on first use: Spidermon is imported only when it is switched on."""
    from spidermon import Monitor, monitors
    from spidermon.contrib.monitors.mixins import StatsMonitorMixin

    @monitors.name("Run verdict")
    class RunVerdictMonitor(Monitor, StatsMonitorMixin):  # type: ignore[misc]
        @monitors.name("Exit status is ok")  # type: ignore[untyped-decorator]
        def test_exit_status_is_ok(self) -> None:
            stats = self.data.stats
            status, reason = stats.get(stat.EXIT_STATUS), stats.get(stat.EXIT_REASON, "")
            at_stop = self.data.crawler.get_extension(SpidermonAtForcedStop)
            if at_stop is not None and at_stop.forced:
                from crawler.monitoring.verdict import forced_stop

                # As the run history and the heartbeat give it: exit 1, or its verdict's status, and why.
                _, status, reason, _ = forced_stop(stats)
            self.assertIsNotNone(status, "the run verdict did not run")
            self.assertEqual(status, 0, f"exit status {status}: {reason}")

    @monitors.name("Item validation")
    class ItemValidationMonitor(Monitor, StatsMonitorMixin):  # type: ignore[misc]
        @monitors.name("Every written item matches the JSON Schema")  # type: ignore[untyped-decorator]
        def test_no_item_has_schema_errors(self) -> None:
            errors = int(self.data.stats.get(ITEMS_WITH_ERRORS, 0))
            self.assertEqual(errors, 0, f"{errors} written item(s) do not match crawler/schema/article.schema.json")

    return RunVerdictMonitor, ItemValidationMonitor


def _bounded_send(seconds: float) -> Any:
    """``send_message`` of Spidermon's SMTP email action, with the sending bounded to ``seconds``.

    Scrapy's MailSender holds the reactor's shutdown until the mail is sent, and Twisted's SMTP client
    waits on the server without a limit: an SMTP server that accepted the connection and never
    answered kept the run from ending, a second SIGTERM too, with its run lock held (every later run
    exit 3). A mail that could not be sent (refused, timed out, no STARTTLS, wrong password) is
    Scrapy's one ``Unable to send mail`` ERROR line; it ended in Twisted's "Unhandled error in
    Deferred" traceback as well.

    What is sent is Spidermon's message itself, to its To, Cc and Bcc: Spidermon hands Scrapy's
    MailSender the whole message as the text of a plain one, so a mail client showed its source (MIME
    headers, the HTML as markup, a text not in ASCII as base64), the Reply-To was no header, and the Bcc
    addresses got nothing but were printed in the text every other recipient read.
    """
    from scrapy.mail import MailSender
    from twisted.internet.defer import Deferred

    class BoundedMailSender(MailSender):
        envelope: tuple[list[str], bytes] | None = None  # the recipients and the message to send instead

        def _sendmail(self, to_addrs: list[str], msg: bytes) -> Deferred[Any]:
            from twisted.internet import reactor
            from twisted.internet.interfaces import IReactorTime

            if self.envelope is not None:
                to_addrs, msg = self.envelope
            where = f"{self.smtphost}:{self.smtpport}"

            def timed_out(result: Any, timeout: float) -> NoReturn:
                raise TimeoutError(f"the SMTP server {where} did not take the mail within {timeout:g} s")

            sending: Deferred[Any] = super()._sendmail(to_addrs, msg)
            # (The installed reactor is the module's attribute; older Twisted's stubs type it as the module.)
            return sending.addTimeout(seconds, cast(IReactorTime, reactor), onTimeoutCancel=timed_out)

    def send_message(self: Any, message: Any, **kwargs: Any) -> None:
        sender = BoundedMailSender(
            smtphost=self.smtp_host,
            mailfrom=self.sender,
            smtpuser=self.smtp_user,
            smtppass=self.smtp_password,
            smtpport=self.smtp_port,
            smtptls=self.smtp_enforce_tls,
            smtpssl=self.smtp_enforce_ssl,
        )
        sender.envelope = ([*self.to, *(self.cc or []), *(self.bcc or [])], _as_sent(message))
        sent = sender.send(
            to=self.to, subject=message["Subject"], body=message.as_string(), cc=self.cc, _callback=kwargs.get("_callback")
        )
        if sent is not None:
            sent.addErrback(lambda failure: None)  # Scrapy logged it, in one line

    return send_message


def _as_sent(message: Any) -> bytes:
    """Spidermon's message as it goes out: dated, without the Bcc header its recipients are hidden by,
    and without the transfer encoding its charset put on the multipart (RFC 2045 allows none there)."""
    from email.utils import formatdate

    del message["Bcc"]
    del message["Content-Transfer-Encoding"]
    if message["Date"] is None:
        message["Date"] = formatdate(localtime=True)
    sent: bytes = message.as_bytes()
    return sent


def _action_class(action: Any, smtp_seconds: float) -> Any:
    """Spidermon's email actions (and subclasses) as our suite runs them: addresses that are blank left
    out, and the SMTP one's sending bounded (:func:`_bounded_send`).

    ``SPIDERMON_EMAIL_TO=" , "`` (a list of blanks, a template left empty) passed Spidermon's check for
    recipients, and the failure email went to no one, logged as ``Mail sent OK``; now it is refused as
    an empty list is.
    """
    from spidermon.contrib.actions.email import SendEmail
    from spidermon.contrib.actions.email.smtp import SendSmtpEmail

    if not isinstance(action, type) or not issubclass(action, SendEmail):
        return action

    base: Any = action

    def from_crawler_kwargs(cls: Any, crawler: Crawler) -> dict[str, Any]:
        kwargs: dict[str, Any] = base.from_crawler_kwargs.__func__(cls, crawler)
        for name in ("to", "cc", "bcc"):
            if isinstance(kwargs.get(name), list):
                kwargs[name] = [address for address in kwargs[name] if str(address).strip()]
        return kwargs

    members: dict[str, Any] = {"from_crawler_kwargs": classmethod(from_crawler_kwargs), "__module__": action.__module__}
    if issubclass(action, SendSmtpEmail):
        members["send_message"] = _bounded_send(smtp_seconds)
    # Under the action's own name: Spidermon's log names it so.
    return type(action.__name__, (action,), members)


def _actions(crawler: Crawler | None, setting: str) -> list[Any]:
    if crawler is None:
        return []
    seconds = crawler.settings.getfloat("BS_SPIDERMON_SMTP_TIMEOUT")
    return [_action_class(load_object(path), seconds) for path in crawler.settings.getlist(setting)]


def _suite_class() -> type[Any]:
    from spidermon import MonitorSuite

    class Suite(MonitorSuite):  # type: ignore[misc]
        """Our verdict and the item validation; actions from BS_SPIDERMON_FAILED_ACTIONS / _FINISHED_ACTIONS."""

        def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
            kwargs.setdefault("monitors", list(_monitors()))
            kwargs.setdefault("monitors_failed_actions", _actions(crawler, "BS_SPIDERMON_FAILED_ACTIONS"))
            kwargs.setdefault("monitors_finished_actions", _actions(crawler, "BS_SPIDERMON_FINISHED_ACTIONS"))
            super().__init__(*args, crawler=crawler, **kwargs)

    return Suite


def __getattr__(name: str) -> Any:
    # `RunVerdictMonitorSuite` is what SPIDERMON_ENGINE_STOP_MONITORS names; built when Spidermon loads it.
    if name == "RunVerdictMonitorSuite":
        return _suite_class()
    raise AttributeError(name)
