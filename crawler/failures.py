"""Stable names for failed downloads (``bs/failed/<name>``, ``bs/splash/failed/<name>``), the same on every supported Scrapy and Twisted.

Scrapy 2.13 hands Twisted's exceptions to errbacks (``twisted.internet.error.TimeoutError``,
``twisted.web._newclient.ResponseFailed`` …); Scrapy 2.14 and later wrap them in its own
(``scrapy.exceptions.DownloadTimeoutError``, ``ResponseDataLossError`` …, the Twisted one kept as
``__cause__``), and other download handlers raise those without any Twisted exception at all. Stats,
the README and the run verdict must not change name with the version, so every failure is sorted
into one of a few names here, from the exception, its causes and, for Twisted's ``ResponseFailed``
and ``ResponseNeverReceived``, the failures they carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.http import Response
from twisted.internet import defer
from twisted.internet import error as tx_errors
from twisted.python.failure import Failure
from twisted.web import _newclient
from twisted.web.error import SchemeNotSupported
from twisted.web.http import PotentialDataLoss, _DataLoss

TIMEOUT = "timeout"  # the download (or Splash) took longer than its time limit
DNS = "dns"  # the host name could not be resolved
DATA_LOSS = "data-loss"  # the answer began but was cut short (connection lost mid-body, wrong Content-Length)
BAD_RESPONSE = "bad-response"  # an answer that is no valid HTTP (a status line, header or framing the client cannot read)
CONNECTION = "connection"  # no answer: refused, reset or closed before a response, TLS handshake failed
TOO_LARGE = "too-large"  # over DOWNLOAD_MAXSIZE (announced, received or once decompressed)
UNDECODABLE = "undecodable"  # a body its Content-Encoding does not decode (a corrupt gzip, deflate, br or zstd stream)
CANCELLED = "cancelled"  # the download was cancelled (by a signal handler, or the run stopping)
UNSUPPORTED = "unsupported"  # a URL scheme no download handler serves
IGNORED = "ignored"  # a middleware refused the request (IgnoreRequest)
OTHER = "other"  # anything else: the log line names the exception


class UndecodableBody(Exception):
    """An answer whose body does not decode as its ``Content-Encoding`` says (a corrupt stream)."""


def http_status(status: int) -> str:
    """The name of a final HTTP error answer: ``http-404``."""
    return f"http-{status}"


def _scrapy_error(name: str) -> tuple[type[BaseException], ...]:
    # Scrapy's own download exceptions exist from 2.14 on; on 2.13 the Twisted ones below are raised.
    found = getattr(scrapy_errors, name, None)
    return (found,) if isinstance(found, type) and issubclass(found, BaseException) else ()


# In order: the first kind that any exception of the chain belongs to names the failure.
# Timeouts come before connection errors (TCPTimedOutError is a ConnectError), data loss before
# connection errors (Scrapy 2.14+ raises DownloadFailedError from a ResponseFailed).
_KINDS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    (
        TIMEOUT,
        (
            *_scrapy_error("DownloadTimeoutError"),
            tx_errors.TimeoutError,
            tx_errors.TCPTimedOutError,
            defer.TimeoutError,
            TimeoutError,
        ),
    ),
    (DNS, (*_scrapy_error("CannotResolveHostError"), tx_errors.DNSLookupError)),
    (UNDECODABLE, (UndecodableBody,)),
    # ResponseNeverReceived is a ResponseFailed, but no part of an answer came: not data loss.
    (CONNECTION, (_newclient.ResponseNeverReceived,)),
    (DATA_LOSS, (*_scrapy_error("ResponseDataLossError"), _DataLoss, PotentialDataLoss, _newclient.ResponseFailed)),
    (
        CONNECTION,
        (
            *_scrapy_error("DownloadConnectionRefusedError"),
            *_scrapy_error("DownloadFailedError"),
            tx_errors.ConnectError,
            tx_errors.ConnectionLost,
            tx_errors.ConnectionDone,
            ConnectionError,
        ),
    ),
    (CANCELLED, (*_scrapy_error("DownloadCancelledError"), defer.CancelledError)),
    (UNSUPPORTED, (*_scrapy_error("UnsupportedURLSchemeError"), NotSupported, SchemeNotSupported)),
    (IGNORED, (IgnoreRequest,)),
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The exception, what caused it, and the failures a Twisted ``ResponseFailed`` carries, nearest first."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reasons = getattr(current, "reasons", None)
        if isinstance(reasons, list):
            pending.extend(r.value for r in reasons if isinstance(r, Failure) and isinstance(r.value, BaseException))
        if current.__cause__ is not None:
            pending.append(current.__cause__)


def _is_too_large(message: str) -> bool:
    # Scrapy words it "…larger than download max size…" (announced or received, every version)
    # or "…exceeded DOWNLOAD_MAXSIZE…" (while decompressing).
    return "download max size" in message or "DOWNLOAD_MAXSIZE" in message


def _reasons(chain: list[BaseException]) -> list[BaseException]:
    """What the Twisted ``ResponseFailed`` errors of a chain carry: why the answer could not be read."""
    return [
        r.value
        for e in chain
        if isinstance(e, _newclient.ResponseFailed)
        for r in e.reasons
        if isinstance(r, Failure) and isinstance(r.value, BaseException)
    ]


def _malformed(chain: list[BaseException]) -> list[BaseException]:
    """The reasons of a chain that say the answer is no valid HTTP: Twisted's parser raises ParseError
    for a status line it cannot read (no number, a body with no status line at all), ValueError for a
    Content-Length that is no number or two that disagree, KeyError for a Transfer-Encoding it does
    not know (``identity``, ``gzip, chunked``). Only as a ``ResponseFailed``'s reasons: a ValueError
    of our own code is a bug, named ``other``."""
    return [r for r in _reasons(chain) if isinstance(r, (_newclient.ParseError, ValueError, KeyError))]


def failure_name(failure: Failure | BaseException | Any) -> str:
    """The stable name of a failed request: ``timeout``, ``dns``, ``data-loss``, ``connection``, ``http-404``, ``too-large`` …"""
    error = failure.value if isinstance(failure, Failure) else failure
    if not isinstance(error, BaseException):
        return OTHER
    response = getattr(error, "response", None)
    if isinstance(response, Response):  # HttpError: the final answer was an error status
        return http_status(response.status)
    chain = list(_chain(error))
    if any(_is_too_large(str(e)) for e in chain):
        return TOO_LARGE
    if _malformed(chain):
        # Before data loss: Twisted reports it as a ResponseFailed too, and Scrapy 2.14+ as a
        # DownloadFailedError; it is no cut connection (the same answer comes at every try).
        return BAD_RESPONSE
    for name, kinds in _KINDS:
        if kinds and any(isinstance(e, kinds) for e in chain):
            return name
    return OTHER


def _malformed_detail(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"a Transfer-Encoding it cannot read: {error.args[0]!r}" if error.args else "a Transfer-Encoding it cannot read"
    if isinstance(error, _newclient.ParseError) and len(error.args) == 2:
        what, line = error.args
        return f"{what}: {line[:80]!r}"
    return str(error) or type(error).__name__


def _loss_detail(error: BaseException) -> str:
    if isinstance(error, tx_errors.ConnectionDone):
        return "the server closed the connection"
    if isinstance(error, tx_errors.ConnectionLost):
        return "the connection was lost (reset)"
    if isinstance(error, (_DataLoss, PotentialDataLoss)):
        return "its Content-Length or last chunk never came"
    return str(error) or type(error).__name__


def failure_message(failure: Failure | BaseException | Any) -> str:
    """A failed download's message, in words, for its log line.

    Twisted's ``ResponseFailed`` prints as a list of Failure objects
    (``[<twisted.python.failure.Failure builtins.KeyError: b'identity'>]``), and Scrapy 2.14+'s data
    loss as nothing at all; an answer cut short or no valid HTTP is said so, with why. Any other
    failure keeps its own message."""
    error = failure.value if isinstance(failure, Failure) else failure
    if not isinstance(error, BaseException):
        return str(error)
    chain = list(_chain(error))
    malformed = _malformed(chain)
    if malformed:
        return "the answer is no valid HTTP: " + "; ".join(dict.fromkeys(_malformed_detail(e) for e in malformed))
    reasons = _reasons(chain)
    if reasons:
        # ResponseNeverReceived: not a byte of the answer came (a connection failure, not data loss).
        what = "no answer came" if any(isinstance(e, _newclient.ResponseNeverReceived) for e in chain) else "the answer stopped before its end"
        return f"{what}: " + "; ".join(dict.fromkeys(_loss_detail(e) for e in reasons))
    return str(failure.getErrorMessage()) if isinstance(failure, Failure) else str(error)
