"""Probes of rendering through Splash and of the market numbers, after the round of fixes to both: a
dash between two figures, a crawl from the cache of a site that sets cookies, credentials in SPLASH_URL."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
import json
from pathlib import Path

import pytest

from crawler.extraction.normalize import parse_changes
from crawler.monitoring.verdict import EXIT_SPLASH
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash_probes_round11 import FakeSplash, crawl_latest, market_of, warnings_and_errors

# --- a dash between two figures is no minus --------------------------------------------------------


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2212"])
def test_a_dash_between_the_change_and_the_per_cent_is_no_sign_of_the_per_cent(dash: str) -> None:
    # "254.86 - 0.35%": a change cell holding both, a dash between them as a separator; the per cent
    # was read as -0.35 and a rise became half a fall.
    assert parse_changes(f"254.86 {dash} 0.35%") == (254.86, 0.35)
    assert parse_changes(f"{dash}254.86 {dash} {dash}0.35%") == (-254.86, -0.35)
    assert parse_changes(f"{dash} 254.86 {dash} 0.35%") == (-254.86, -0.35)  # the change's sign is the per cent's
    market = market_of([("Sensex", "73,158.24", f"254.86 {dash} 0.35%", None)])
    assert market["Sensex"] == (73158.24, 254.86, 0.35)


# --- a crawl from the HTTP cache alone, of a site that sets cookies --------------------------------


def test_a_crawl_from_the_cache_alone_is_served_every_rendered_page_of_a_site_that_sets_cookies(tmp_path: Path, splash_url: str) -> None:
    # Akamai sets cookies on the site's answers; scrapy-splash sends the session's cookies in the
    # render's arguments, which were part of the cache key: the crawl from the cache (no cookies,
    # none being received) found only the first page, the others stored under keys with cookies.
    cache = tmp_path / "cache"
    with LoopbackSite(articles=4, seed=5, legacy=0) as site:
        first, *others = site.articles[:3]
        site.set_path_fault(first.path, "redirect-self", times=1)  # a 302 that sets a cookie, then the page
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(f"{article.url}\n" for article in (first, *others)))
        arguments = ("-a", f"url_file={urls}")
        common = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "SPLASH_URL": splash_url, "CONCURRENT_REQUESTS": "1"}
        rendered = crawl("article", tmp_path / "first", *arguments, settings=common, timeout=240)
    again = crawl("article", tmp_path / "again", *arguments, settings={**common, "HTTPCACHE_IGNORE_MISSING": "1"}, timeout=240)
    assert rendered.status == 0 and len(rendered.items) == 3, rendered.log[-3000:]
    by_url = {item["url"]: item["market"] for item in rendered.items}
    assert {item["url"]: item["market"] for item in again.items} == by_url, again.log[-3000:]
    assert stats_from_log(again.log)["httpcache/hit"] == 3


# --- Splash restarting behind a proxy (Aquarium's HAProxy) -----------------------------------------

HAPROXY_503 = b"<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"


class ProxiedSplash(FakeSplash):
    """A Splash behind a proxy: while Splash restarts, the proxy still accepts connections and answers
    503 with its own page, as HAProxy does with no server up behind it."""

    def __init__(self) -> None:
        super().__init__()
        self.down_until = 0.0
        self.refusals = 0
        self.arrived = 0
        self.arrivals = threading.Lock()
        self.down_after: int | None = None
        self.down_for: float | None = None

    def restart(self, after: int, for_seconds: float | None) -> None:
        """Go down as the render after the first ``after`` arrives, for ``for_seconds`` (None: for good).

        Counted as renders arrive, under a lock (counted as they were answered, two answers could race
        past the count). Past the crawler's first burst of requests (its CONCURRENT_REQUESTS), a render
        arrives only once an answer has been read, so the crawler knows Splash was up: within the burst,
        a loaded machine could bring it a refusal before the answers sent ahead of it, a Splash it never
        saw answer."""
        self.down_after, self.down_for = after, for_seconds

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake, splash = self, super().handler()

        class Proxy(splash):  # type: ignore[misc,valid-type]
            def do_POST(self) -> None:
                with fake.arrivals:
                    fake.arrived += 1
                    if fake.arrived - 1 == fake.down_after:
                        fake.down_until = time.monotonic() + (fake.down_for if fake.down_for is not None else 1e9)
                if time.monotonic() < fake.down_until:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    fake.refusals += 1
                    self.send_response(503)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(HAPROXY_503)))
                    self.end_headers()
                    self.wfile.write(HAPROXY_503)
                    return
                super().do_POST()

        return Proxy


def test_splash_restarting_behind_a_proxy_is_waited_for_as_one_refusing_connections(tmp_path: Path) -> None:
    # The proxy answers for a Splash being recycled: "503 No server is available". Every render
    # meanwhile fell back at once (numbers null, one ERROR line each), and the run ended with exit 9.
    fake = ProxiedSplash()
    fake.restart(after=6, for_seconds=2.5)  # past the first burst of four
    fake.start()
    try:
        with LoopbackSite(articles=30, seed=11, legacy=0) as site:
            run = crawl_latest(tmp_path, site, fake.url, CONCURRENT_REQUESTS="4")
    finally:
        fake.stop()
    stats = stats_from_log(run.log)
    ids = run.ids()
    assert fake.refusals >= 1
    assert run.status == 0, run.log[-3000:]
    assert len(ids) == len(set(ids)) == stats["bs/discovery/new"] > 3
    assert stats["bs/splash/rendered"] == len(ids) and stats.get("bs/splash/retried", 0) >= 1
    assert not any(name.startswith("bs/splash/failed/") for name in stats)
    warnings, errors = warnings_and_errors(run.log)
    assert warnings == errors == []
    assert "Splash cannot be reached" in run.log and "Splash answers again" in run.log


def test_splash_gone_for_good_behind_a_proxy_is_waited_for_a_bounded_time_then_every_article_fetched_plainly(tmp_path: Path) -> None:
    fake = ProxiedSplash()
    fake.restart(after=2, for_seconds=None)
    fake.start()
    started = time.monotonic()
    try:
        with LoopbackSite(articles=30, seed=11, legacy=0) as site:
            # Two renders in hand at most: with more, the renders already in flight as Splash went were
            # all answered on a loaded machine, and the share that failed fell to the exit's bound.
            run = crawl_latest(tmp_path, site, fake.url, BS_SPLASH_RESTART_WAIT="3", CONCURRENT_REQUESTS="2")
    finally:
        fake.stop()
    took = time.monotonic() - started
    stats = stats_from_log(run.log)
    ids = run.ids()
    assert len(ids) == len(set(ids)) == stats["bs/discovery/new"] > 2, run.log[-3000:]
    failed = sum(count for name, count in stats.items() if name.startswith("bs/splash/failed/"))
    assert stats["bs/splash/rendered"] == fake.answered and failed == len(ids) - fake.answered > 0
    assert stats["bs/splash/failed/http-503"] > 0 and run.status == EXIT_SPLASH
    assert took < 60


def test_a_crawl_from_the_cache_alone_is_served_the_plain_page_of_a_render_that_failed(tmp_path: Path) -> None:
    # A page Splash failed to render was fetched and stored plainly (its item emitted, numbers null);
    # the crawl from the cache alone looked it up as a rendered page only, and lost the article.
    fake = FakeSplash()
    fake.start()
    cache = tmp_path / "cache"
    try:
        with LoopbackSite(articles=4, seed=5, legacy=0) as site:
            articles = site.articles[:3]
            fake.poison = articles[0].url
            urls = tmp_path / "urls.txt"
            urls.write_text("".join(f"{article.url}\n" for article in articles))
            arguments = ("-a", f"url_file={urls}")
            common = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "SPLASH_URL": fake.url}
            first = crawl("article", tmp_path / "first", *arguments, settings=common, timeout=240)
    finally:
        fake.stop()
    again = crawl("article", tmp_path / "again", *arguments, settings={**common, "HTTPCACHE_IGNORE_MISSING": "1"}, timeout=240)
    assert len(first.items) == 3 and stats_from_log(first.log)["bs/splash/failed/connection"] == 1, first.log[-3000:]
    assert sorted(again.ids()) == sorted(first.ids()), again.log[-3000:]
    assert stats_from_log(again.log)["httpcache/hit"] == 3


def test_reextract_reads_the_pages_of_a_cache_that_stored_splashs_answers(tmp_path: Path) -> None:
    # Before the cache moved below the rendering middlewares, a crawl with SPLASH_URL stored Splash's
    # JSON answers at <SPLASH_URL>/execute: reextract read none of them ("not-article-url"), exit 1.
    fake = FakeSplash()
    fake.start()
    cache = tmp_path / "cache"
    try:
        with LoopbackSite(articles=4, seed=5, legacy=0) as site:
            below_scrapy_splash = json.dumps({"crawler.incremental.cachepolicy.StoreOnlyHttpCacheMiddleware": 901})
            settings = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "SPLASH_URL": fake.url}
            first = crawl("article", tmp_path / "first", "-a", f"url={site.articles[0].url}", settings={**settings, "DOWNLOADER_MIDDLEWARES": below_scrapy_splash}, timeout=240)
    finally:
        fake.stop()
    assert first.status == 0 and len(first.items) == 1, first.log[-3000:]
    again = crawl("reextract", tmp_path / "again", "-a", f"source={cache}", timeout=240)
    assert again.status == 0 and again.ids() == first.ids(), again.log[-3000:]
    assert again.items[0]["market"] == first.items[0]["market"] and again.items[0]["url"] == first.items[0]["url"]
