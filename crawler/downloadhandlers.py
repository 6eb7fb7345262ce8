"""Scrapy's HTTP/1.1 download handler with a bound on the size of an answer's status line and headers."""

from __future__ import annotations

from typing import Any, cast

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater
from twisted.python.failure import Failure
from twisted.web import _newclient

# Twisted's client keeps every header line it is sent until the blank line that ends them, with no
# bound but the download timeout: a server sending header lines (or folded lines of one header, or
# "100 Continue" answers) for ever grew a crawl by ~800 MB in 3 s. Chrome refuses headers past 256 KB
# and curl past 300 KB; four times Chrome's still reads a Set-Cookie storm of 5,000 cookies (~260 KB,
# bounded by the cookie middleware), and no real page comes near it.
MAX_HEADER_BYTES = 1024 * 1024
# Twisted's line reader closes the connection, unnamed, at a header line past 16 KB, which was then
# counted as a cut answer (data-loss) and retried; a line as long as the whole bound lets it be named
# as the headers being too large (one read of 64 KB at most lies between the two checks).
_MAX_LINE_BYTES = 2 * MAX_HEADER_BYTES


class HeadersTooLarge(ValueError):
    """An answer whose status line and headers pass :data:`MAX_HEADER_BYTES` without ending.

    A ``ValueError``, as Twisted's parser raises for other answers that are no valid HTTP, so that it
    is named ``bad-response`` (``crawler.failures``).
    """

    def __init__(self, received: int) -> None:
        super().__init__(f"its status line and headers passed {MAX_HEADER_BYTES // 2**20} MB without ending ({received:,} bytes read)")


class _HeaderBoundProtocol:
    """Mixed in before Twisted's (or Scrapy's) HTTP/1.1 client protocol: counts what the parser reads before the body."""

    _parser: Any
    transport: Any
    _header_bytes = 0

    def request(self, request: Any) -> Any:
        result = super().request(request)  # type: ignore[misc]
        self._header_bytes = 0
        if self._parser is not None:
            self._parser.MAX_LENGTH = _MAX_LINE_BYTES
        return result

    def dataReceived(self, data: bytes) -> None:
        parser = self._parser
        super().dataReceived(data)  # type: ignore[misc]
        # Still reading a status line or headers after the whole read: every byte of it was one of them.
        if parser is None or self._parser is not parser or parser.state not in (_newclient.STATUS, _newclient.HEADER):
            return
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES:
            # Twisted's own way out (the request failed with the reason), then a hang-up: its close is
            # no close over TLS, which only says goodbye and waits for the server's, reading on
            # meanwhile (a server that never stops sending was read, and decrypted, all run long).
            # Out of this read: Twisted before 26 fails with a traceback when TLS is torn down inside it.
            reason = Failure(HeadersTooLarge(self._header_bytes))  # type: ignore[no-untyped-call]
            self._giveUp(reason)  # type: ignore[attr-defined]
            from twisted.internet import reactor  # the one Scrapy installed (importing it earlier would install another)

            hang_up = deferLater(cast(IReactorTime, reactor), 0, self.transport.abortConnection)
            hang_up.addErrback(lambda _: None)  # the connection gone meanwhile: nothing left to hang up


_BOUNDED: dict[type[Any], type[Any]] = {}


def _bounded(protocol_class: type[Any]) -> type[Any]:
    """The protocol class with the bound mixed in, made once per class (one or two a process)."""
    if protocol_class not in _BOUNDED:
        _BOUNDED[protocol_class] = type(f"HeaderBound{protocol_class.__name__}", (_HeaderBoundProtocol, protocol_class), {})
    return _BOUNDED[protocol_class]


class HeaderBoundHTTP11DownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler whose connections give an answer up, as ``bad-response``,
    once its status line and headers pass :data:`MAX_HEADER_BYTES`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Scrapy 2.13 takes (settings, crawler), 2.14 and later (crawler).
        super().__init__(*args, **kwargs)
        # The protocol factory the pool builds connections with differs by version (Scrapy 2.14+ sets
        # a lenient one of its own): its protocols are given the bound, whichever it is.
        base: type[Any] = self._pool._factory

        class HeaderBoundFactory(base):  # type: ignore[misc]
            def buildProtocol(self, addr: Any) -> Any:
                protocol = super().buildProtocol(addr)
                protocol.__class__ = _bounded(type(protocol))
                return protocol

        self._pool._factory = HeaderBoundFactory
