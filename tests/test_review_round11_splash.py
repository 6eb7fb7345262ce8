"""Probes of rendering through Splash and of the market numbers, after the round of fixes to both: a
dash between two figures, a crawl from the cache of a site that sets cookies, credentials in SPLASH_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extraction.normalize import parse_changes
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash_probes_round11 import market_of

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
