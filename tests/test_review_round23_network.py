"""A review of round 23's HTTP-level changes: the bound on an answer's headers over HTTPS (the site's
scheme), on connections kept alive, and error pages sent with 200 beside real pages titled like them."""

from __future__ import annotations

import datetime
import json
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.failures import BAD_RESPONSE
from tests.e2e import FAST, crawl, stats_from_log
from tests.loopback.pages import render_server_error
from tests.loopback.site import LoopbackSite

# The servers of this file listen on these ports only (the first free one), never on one the system picks.
PORTS = range(17000, 17050)
# What the endless server sends at most: far above the client's bound (1 MB), and what a client that
# never hangs up takes in full.
ENDLESS_CAP = 32 * 1024 * 1024
ENDLESS_ID, GATE_ID = "124022800873", "124022800874"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (Scrapy verifies none by default, as a crawl of the site)."""
    x509 = pytest.importorskip("cryptography.x509", reason="cryptography (Scrapy's TLS) is not installed")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file


class EndlessHeadersServer:
    """An HTTPS (or HTTP) server whose article answers send header lines until the client hangs up (or
    ENDLESS_CAP bytes); the article GATE_ID is answered (404) only once every endless answer has ended,
    so that the crawl lives on while the client would still be reading one."""

    def __init__(self, folder: Path, tls: bool) -> None:
        self.context: ssl.SSLContext | None = None
        if tls:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(*_certificate(folder))
        self.sent: list[int] = []  # bytes each endless answer sent before the client hung up (or the cap)
        self.gate_waited_for_an_end = False
        self._lock = threading.Lock()
        self._endless_open = 0
        self._endless_done = threading.Condition(self._lock)
        self.listener = self._listen()
        self.port = self.listener.getsockname()[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @staticmethod
    def _listen() -> socket.socket:
        for port in PORTS:
            listener = socket.socket()
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                listener.close()
                continue
            listener.listen(16)
            return listener
        raise RuntimeError(f"no free port in {PORTS}")

    def url(self, article_id: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/markets/news/a-story-{article_id}_1.html"

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            if self.context is not None:
                connection = self.context.wrap_socket(connection, server_side=True)
            connection.settimeout(60)
            request = connection.recv(65536).split(b"\r\n", 1)[0]
            if ENDLESS_ID.encode() in request:
                self._endless(connection)
                return
            if GATE_ID.encode() in request:
                with self._endless_done:
                    self.gate_waited_for_an_end = self._endless_done.wait_for(lambda: bool(self.sent) and not self._endless_open, timeout=60)
            connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        finally:
            connection.close()

    def _endless(self, connection: socket.socket) -> None:
        with self._lock:
            self._endless_open += 1
        sent = 0
        try:
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while sent < ENDLESS_CAP:
                chunk = b"".join(b"X-Pad-%d: %s\r\n" % (n + i, b"p" * 64) for i in range(64))
                n += 64
                connection.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up: what it took is counted
        with self._endless_done:
            self.sent.append(sent)
            self._endless_open -= 1
            self._endless_done.notify_all()


@contextmanager
def endless_server(folder: Path, tls: bool) -> Iterator[EndlessHeadersServer]:
    server = EndlessHeadersServer(folder, tls)
    try:
        yield server
    finally:
        server.close()


class ConnectProxy:
    """A proxy that opens CONNECT tunnels (as HTTPS_PROXY names one), hanging up on either side when
    the other hangs up."""

    def __init__(self) -> None:
        self.listener = EndlessHeadersServer._listen()
        self.port = self.listener.getsockname()[1]
        self.tunnels: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                client.close()
                return
            head += data
        line = head.split(b"\r\n", 1)[0]
        self.tunnels.append(line)
        host, port = line.split()[1].rsplit(b":", 1)
        upstream = socket.create_connection((host.decode(), int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()


# --- the header bound over HTTPS ---------------------------------------------------------------------------


@pytest.mark.parametrize("tls, proxied", [(True, False), (False, False), (True, True)], ids=["https", "http", "https-through-a-proxy"])
def test_an_answer_whose_headers_never_end_is_hung_up_on_over_https_too_not_read_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: bool, proxied: bool
) -> None:
    proxy = ConnectProxy() if proxied else None
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    if proxy is not None:
        # A user's proxy, as cron's environment names it: the crawl reaches the site through a CONNECT tunnel.
        monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{proxy.port}")
    with endless_server(tmp_path, tls) as server:
        result = crawl(
            "article", tmp_path, "-a", f"urls={server.url(ENDLESS_ID)},{server.url(GATE_ID)}",
            settings={**FAST, "BS_BASE_URL": f"{server.scheme}://127.0.0.1:{server.port}", "RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "False", "DOWNLOAD_TIMEOUT": "60"},
        )
    if proxy is not None:
        proxy.close()
        assert len(proxy.tunnels) == 2, proxy.tunnels
    assert server.gate_waited_for_an_end, result.log[-3000:]
    # Given up at the bound and hung up on: before, over TLS the connection was left open after the
    # answer was given up, and the crawler went on reading (and decrypting) all the server sent for
    # the rest of the run (~170 MB a second here), the cap of this server's 32 MB in full.
    assert len(server.sent) == 1 and server.sent[0] < ENDLESS_CAP // 2, server.sent
    assert stats_from_log(result.log)[stat.failed(BAD_RESPONSE)] == 1, result.log[-3000:]
    assert f"Failed <{server.url(ENDLESS_ID)}>: bad-response (the answer is no valid HTTP: " in result.log
    assert "Traceback" not in result.log


# --- the bound is an answer's, not a connection's ----------------------------------------------------------


class KeptAliveServer:
    """An HTTP server that keeps its connections alive: each answer is a 103 Early Hints (as a CDN sends
    one before the page) and then a 404 with ~400 KB of headers, so that three answers on one connection
    pass 1 MB together and none alone."""

    PAD = b"".join(b"X-Pad-%d: %s\r\n" % (n, b"p" * 64) for n in range(5_000))  # ~400 KB

    def __init__(self) -> None:
        self.listener = EndlessHeadersServer._listen()
        self.port = self.listener.getsockname()[1]
        self.answers_per_connection: list[int] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, article_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/markets/news/a-story-{article_id}_1.html"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        answered = 0
        index = len(self.answers_per_connection)
        self.answers_per_connection.append(0)
        connection.settimeout(60)
        buffered = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffered:
                    data = connection.recv(65536)
                    if not data:
                        return
                    buffered += data
                buffered = buffered.split(b"\r\n\r\n", 1)[1]
                connection.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </static/main.css>; rel=preload; as=style\r\n\r\n")
                connection.sendall(b"HTTP/1.1 404 Not Found\r\n" + self.PAD + b"Content-Length: 0\r\n\r\n")
                answered += 1
                self.answers_per_connection[index] = answered
        except OSError:
            pass
        finally:
            connection.close()

    def close(self) -> None:
        self.listener.close()


def test_answers_on_a_kept_alive_connection_are_each_bounded_alone_not_together(tmp_path: Path) -> None:
    server = KeptAliveServer()
    ids = ["124022800871", "124022800872", "124022800873"]
    try:
        result = crawl(
            "article", tmp_path, "-a", "urls=" + ",".join(server.url(i) for i in ids),
            # One request at a time: each waits for the one before, on the connection it left.
            settings={**FAST, "CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "BS_BASE_URL": f"http://127.0.0.1:{server.port}",
                      "RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "False"},
        )
    finally:
        server.close()
    assert server.answers_per_connection == [3], (server.answers_per_connection, result.log[-3000:])
    stats = stats_from_log(result.log)
    assert stats[stat.failed("http-404")] == 3, result.log[-3000:]
    assert stat.failed(BAD_RESPONSE) not in stats


# --- Next.js's static 500 page, sent with 200 -------------------------------------------------------------


@contextmanager
def site_on_our_ports(**kwargs: Any) -> Iterator[LoopbackSite]:
    for port in PORTS:
        try:
            site = LoopbackSite(port=port, **kwargs)
        except OSError:
            continue
        with site:
            yield site
        return
    raise RuntimeError(f"no free port in {PORTS}")


ARTICLE_URL = "https://www.business-standard.com/markets/news/a-story-124022800873_1.html"
STATIC_500 = "a server's error page (Next.js's 500 page), sent with 200"


@pytest.mark.parametrize(
    "page, kind",
    [
        # The static 500 page Next.js builds by default (its _error page rendered for 500), and one of the site's own.
        (render_server_error("/x", page="/500").replace('"pageProps": {}', '"pageProps": {"statusCode": 500}'), "a server's error page (Next.js's 500 page)"),
        (render_server_error("/x", page="/500"), "a server's error page (Next.js's 500 page)"),
        # Its _error page for a server error, the status not in its props but its error named beside them.
        (render_server_error("/x").replace('{"statusCode": 500}', "{}").replace('"isFallback"', '"err": {"name": "Error", "message": "Internal Server Error."}, "isFallback"'),
         "a server's error page (Next.js's error page, a server error)"),
        (render_server_error("/x", 503), "a server's error page (Next.js's error page, status 503)"),
        # Its pages for a missing page are the site's 404, not a failure.
        (render_server_error("/x", 404), None),
        (render_server_error("/x", page="/404"), None),
    ],
)
def test_nextjs_error_pages_for_a_server_error_are_error_pages(page: str, kind: str | None) -> None:
    from crawler.extraction import error_page_kind
    from crawler.extraction.page import Page

    assert error_page_kind(page, Page(page, ARTICLE_URL).next_data) == kind


def test_an_article_answered_with_nextjs_static_500_page_is_a_failed_fetch_asked_again_next_run(tmp_path: Path) -> None:
    # Before: a Next.js page holding no story, a listing: skipped, the story settled as one, and never
    # asked for again: lost at every run after the site's failure.
    with site_on_our_ports(articles=30, seed=23) as site:
        record = site.articles[-1]
        site.set_path_fault(record.path, "static-500-200")
        settings = {"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0", "BS_LATEST_SOURCES": "/rss/latest.rss"}
        first = crawl("latest", tmp_path, settings=settings)
        site.set_path_fault(record.path, None)
        second = crawl("latest", tmp_path, settings=settings)
    assert record.article_id not in first.ids(), first.log[-3000:]
    stats = stats_from_log(first.log)
    assert stats[stat.failed("error-page")] == 1, first.log[-3000:]
    assert not any(key.startswith(("bs/skipped/", "bs/gone/")) for key in stats), stats
    assert f"Failed <{record.url}>: error-page ({STATIC_500})" in first.log
    assert second.ids() == [record.article_id], second.log[-3000:]


def test_a_later_section_page_answered_with_nextjs_static_500_page_is_no_end_of_the_section(tmp_path: Path) -> None:
    # Before: a listing with no story link, taken for the page past the section's end: the walk
    # stopped there, the stories of every page after it never found, exit 0.
    with site_on_our_ports(articles=400, seed=23) as site:
        site.set_path_fault("/markets/news/page-2", "static-500-200")
        result = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=3", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
        assert site.counts["/markets/news/page-3"] == 1, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats[stat.source_failed("no-article-links")] == 1 and "bs/discovery/listing_end" not in stats, result.log[-3000:]
    assert "/markets/news/page-2>: no-article-links (a server's error page (Next.js's 500 page), not the section's end; the walk goes on past it)" in result.log
    assert len(result.items) == 40


# --- real stories titled as error and maintenance pages are ----------------------------------------------

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
PAGES = Path(__file__).resolve().parent / "pages"
# Headlines of the kind a business paper runs, each beginning as an error or maintenance page's title does.
RISKY_TITLES = [
    "Maintenance margin: Sebi tightens F&amp;O rules for brokers",
    "Something went wrong for bulls as Sensex sheds 900 points",
    "503 companies miss the deadline to file results | Business Standard",
    "Bad Gateway? Adani Ports' new terminal faces delays",
    "Under maintenance: why IRCTC's site crashed during Tatkal booking",
    "We'll be back, says Byju's as it exits Bengaluru office",
]


def _stored_pages() -> list[Path]:
    found = sorted(PAGES.glob("*/*/page.html"))
    return found + (sorted(REAL.glob("*.html")) if REAL.is_dir() else [])


def _outcome(html: str, url: str) -> str:
    from crawler.extraction import NotAnArticle, extract

    try:
        return "article " + extract(html, url).article.articleId
    except NotAnArticle as error:
        return error.reason


@pytest.mark.parametrize("path", _stored_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stories_titled_as_error_or_maintenance_pages_are_read_as_before(path: Path) -> None:
    # Error and maintenance pages are told only off pages no rule reads: an AMP, pre-2023, Hindi or
    # current story titled so is read as it is under its own title (and a video or web story stays one).
    meta = path.with_name("meta.json")
    url = json.loads(meta.read_text())["url"] if meta.exists() else "https://www.business-standard.com/article/markets/a-story-119011800410_1.html"
    html = path.read_text(encoding="utf-8", errors="replace")
    assert re.search(r"<title[^>]*>", html, re.I), path
    own = _outcome(html, url)
    for title in RISKY_TITLES:
        retitled = re.sub(r"<title[^>]*>.*?</title>", f"<title>{title}</title>", html, count=1, flags=re.S | re.I)
        assert _outcome(retitled, url) == own, (path, title)
