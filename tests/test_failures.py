"""Stable failure names (crawler/failures.py): the exceptions Scrapy 2.13 (Twisted's) and 2.14+ (Scrapy's own) raise get one name.

The whole-crawl side (a truncated page counted as ``bs/failed/data-loss``, a slow one as
``bs/failed/timeout``, on the installed Scrapy) is in tests/test_bad_inputs.py.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
from twisted.web.http import _DataLoss

from crawler.failures import CANCELLED, CONNECTION, DATA_LOSS, DNS, IGNORED, OTHER, TIMEOUT, TOO_LARGE, failure_name
from tests.e2e import crawl, stats_from_log

URL = "https://www.business-standard.com/markets/news/x-124112500123_1.html"


def caught(error: BaseException, cause: BaseException | None = None) -> BaseException:
    """``error`` as raised (``raise error from cause``), with its traceback and ``__cause__``."""
    try:
        raise error from cause
    except BaseException as raised:  # noqa: BLE001 - the point is to keep it
        return raised


# What Scrapy 2.13 hands an errback: Twisted's own exceptions.
TWISTED = [
    (tx_errors.TimeoutError(f"Getting {URL} took longer than 30.0 seconds."), TIMEOUT),
    (tx_errors.TCPTimedOutError(), TIMEOUT),
    (tx_errors.DNSLookupError("www.business-standard.com"), DNS),
    (ResponseFailed([Failure(_DataLoss())]), DATA_LOSS),
    (ResponseFailed([Failure(tx_errors.ConnectionLost())]), DATA_LOSS),
    (tx_errors.ConnectionRefusedError("Connection refused"), CONNECTION),
    (ResponseNeverReceived([Failure(tx_errors.ConnectionLost())]), CONNECTION),
    (tx_errors.ConnectionDone(), CONNECTION),
    (
        defer.CancelledError(
            f"Cancelling download of {URL}: expected response size (9000000) larger than download max size (8388608)."
        ),
        TOO_LARGE,
    ),
    (defer.CancelledError(), CANCELLED),
    (IgnoreRequest("Ignored response <200 x> because its body (9000000 B compressed) exceeded DOWNLOAD_MAXSIZE (8388608 B) during decompression."), TOO_LARGE),
    (IgnoreRequest("Forbidden by robots.txt"), IGNORED),
    (ValueError("something else"), OTHER),
]


@pytest.mark.parametrize(("error", "name"), TWISTED, ids=[f"{type(e).__name__}-{n}" for e, n in TWISTED])
def test_twisted_exceptions_get_stable_names(error: BaseException, name: str) -> None:
    assert failure_name(caught(error)) == name
    assert failure_name(Failure(caught(error))) == name  # as an errback gets it


def scrapy_error(name: str) -> type[BaseException]:
    found = getattr(scrapy_errors, name, None)
    if found is None:
        pytest.skip(f"scrapy.exceptions.{name} exists from Scrapy 2.14 on")
    assert isinstance(found, type)
    return found


# What Scrapy 2.14+ hands an errback: its own exceptions, raised from Twisted's where there was one.
SCRAPY = [
    ("DownloadTimeoutError", None, TIMEOUT),
    ("CannotResolveHostError", tx_errors.DNSLookupError("x"), DNS),
    ("ResponseDataLossError", _DataLoss(), DATA_LOSS),
    ("DownloadFailedError", ResponseFailed([Failure(_DataLoss())]), DATA_LOSS),
    ("DownloadFailedError", ResponseNeverReceived([Failure(tx_errors.ConnectionLost())]), CONNECTION),
    ("DownloadFailedError", None, CONNECTION),
    ("DownloadConnectionRefusedError", tx_errors.ConnectionRefusedError(), CONNECTION),
    ("DownloadCancelledError", None, CANCELLED),
]


@pytest.mark.parametrize(("name", "cause", "expected"), SCRAPY, ids=[f"{n}-{e}" for n, _, e in SCRAPY])
def test_scrapys_own_download_exceptions_get_the_same_names(name: str, cause: BaseException | None, expected: str) -> None:
    assert failure_name(Failure(caught(scrapy_error(name)("message"), cause))) == expected


def test_a_cancelled_oversized_download_is_too_large_on_scrapy_2_14_and_later() -> None:
    cancelled = scrapy_error("DownloadCancelledError")
    message = f"Expected to receive 9000000 bytes which is larger than download max size (8388608) in request <GET {URL}>."
    assert failure_name(caught(cancelled(message))) == TOO_LARGE


@pytest.mark.parametrize("status", [404, 410, 503])
def test_http_errors_are_named_by_status(status: int) -> None:
    response = Response(URL, status=status, request=Request(URL))
    assert failure_name(Failure(caught(HttpError(response, "Ignoring non-200 response")))) == f"http-{status}"


def test_something_that_is_not_an_exception_is_other() -> None:
    value: Any = "not an exception"
    assert failure_name(value) == OTHER


def test_a_refused_connection_is_counted_as_connection_in_a_real_crawl(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    result = crawl(
        "article", tmp_path, "-a", f"url={base}/markets/news/x-124112500123_1.html",
        settings={"BS_BASE_URL": base, "RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "False"},
    )  # fmt: skip
    stats = stats_from_log(result.log)
    assert stats.get("bs/failed/connection") == 1, result.log[-3000:]
    assert not [name for name in stats if name.startswith("bs/failed/") and name != "bs/failed/connection"]
