"""The Hindi edition on the loopback site: its 2020 story pages, AMP and mobile twins, a feed, and the TLS tunnel that reaches them."""

from __future__ import annotations

import re
import ssl
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape

from tests.pages.cases import HINDI_BUDGET, HINDI_COMPANIES, HINDI_CREDITED, HINDI_MARKETS, HindiStory, render_hindi, render_hindi_amp

DESKTOP = "hindi.business-standard.com"
MOBILE = "m.bshindi.com"
HOSTS = (DESKTOP, MOBILE)
_AMP_OR_MOBILE = re.compile(r"^/article(?:-amp)?/[^/]+/section_[^/]+-(\d+)_1\.html$")


class Answer(NamedTuple):
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


# A page the site answers for a story it does not have: its PHP page with no story in it, sent with 200.
NOT_FOUND_PAGE = """<html><head><title>बिजनेस स्टैंडर्ड - हिंदी</title><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body><table width="980"><tr><td width="600" valign="top"><div class="colorRed"><b>क्षमा करें, यह पेज उपलब्ध नहीं है।</b></div>
<p>The page you are looking for is not available.</p><a href="https://hindi.business-standard.com/">होम</a></td></tr></table></body></html>
"""


class HindiEdition:
    """``hindi.business-standard.com`` and ``m.bshindi.com`` as the loopback site answers for them.

    ``stories``: autono → story (the four of tests/pages, and more with :meth:`add`); ``changed``: an
    answer of its own for one ``host + path?query`` (path with one leading slash), given what the site
    would answer; ``counts``: requests per ``host + path?query``."""

    def __init__(self) -> None:
        self.stories: dict[int, HindiStory] = {s.autono: s for s in (HINDI_BUDGET, HINDI_MARKETS, HINDI_COMPANIES, HINDI_CREDITED)}
        self.changed: dict[str, Callable[[Answer], Answer]] = {}
        self.feed_links: Callable[[HindiStory], str] = _desktop_link
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, autono: int, base: HindiStory = HINDI_BUDGET, hours: float = 0) -> HindiStory:
        """A story like ``base`` numbered ``autono``, its headline told apart, published ``hours`` after it."""
        story = replace(base, autono=autono, headline=f"{base.headline} ({autono})", published=base.published + timedelta(hours=hours))
        self.stories[autono] = story
        return story

    @property
    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def story_requests(self, autono: int) -> int:
        """Requests, of any host and form, naming story ``autono``."""
        return sum(n for key, n in self.counts.items() if _autono(key.partition("/")[2]) == autono)

    def reset(self) -> None:
        """Counts cleared, the answers and links as the site gives them (the stories stay)."""
        with self._lock:
            self._counts.clear()
        self.changed.clear()
        self.feed_links = _desktop_link

    def respond(self, host: str, path: str, query: str) -> Answer:
        path = "/" + path.lstrip("/")
        key = f"{host}{path}" + (f"?{query}" if query else "")
        with self._lock:
            self._counts[key] += 1
        normal = self._normal(host, path, query)
        change = self.changed.get(key)
        return change(normal) if change is not None else normal

    def _normal(self, host: str, path: str, query: str) -> Answer:
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nDisallow: /search\n", "text/plain; charset=utf-8")
        if path == "/rss/latest.rss":
            return Answer(200, self.feed().encode(), "application/rss+xml; charset=utf-8")
        story = self.stories.get(_autono(f"{path}?{query}") or 0)
        if story is None:
            return Answer(404, NOT_FOUND_PAGE.encode())
        if path.startswith("/article-amp/"):
            return Answer(200, render_hindi_amp(story).encode())
        return Answer(200, render_hindi(story).encode())

    def feed(self) -> str:
        """The edition's RSS feed, newest story first (the 2021 English feed's shape)."""
        stories = sorted(self.stories.values(), key=lambda s: s.published, reverse=True)
        items = "".join(
            f"<item><title><![CDATA[{s.headline}]]></title><link>{xml_escape(self.feed_links(s))}</link>"
            f"<guid>{xml_escape(self.feed_links(s))}</guid><pubDate>{format_datetime(s.published)}</pubDate></item>\n"
            for s in stories
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title><![CDATA[बिजनेस स्टैंडर्ड]]></title>'
            f"<link>https://{DESKTOP}/</link><language>hi</language>\n{items}</channel></rss>"
        )


def _desktop_link(story: HindiStory) -> str:
    return f"https://{DESKTOP}//storypage.php?autono={story.autono}"


def _autono(target: str) -> int | None:
    path, _, query = target.partition("?")
    if path.rstrip("/").endswith("storypage.php"):
        number = parse_qs(query).get("autono", [""])[-1]
        return int(number) if number.isdigit() else None
    match = _AMP_OR_MOBILE.match("/" + path.lstrip("/"))
    return int(match.group(1)) if match else None


@lru_cache(maxsize=1)
def tunnel_context() -> ssl.SSLContext:
    """A server context with a self-signed certificate for the edition's hosts (Scrapy does not verify
    certificates: the crawler reaches them through the loopback site as its HTTPS proxy)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DESKTOP)])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="loopback-tls-"))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    for name_ in ("cert.pem", "key.pem"):
        (folder / name_).unlink()
    folder.rmdir()
    return context
