"""Review of round 20's aliases (the seen-store remembering where short links, merged stories, removed
stories and pages of another kind led): the cases where a cron user would lose a story or get a
false alarm.

* A short link the site points at another story, the feed's date for it moving on: the alias was
  trusted whatever the source's dates said, so the new story was never asked for (30 days, by when
  the feed has long dropped the link: lost).
* A run whose sources list nothing but links the aliases settle (merged, removed, other kind) and a
  non-article link: the verdict counted none of them as listed articles and exited 1, "have the
  site's article URLs changed?" (before round 20 they were fetched, and counted).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import stats as stat
from tests.e2e import stats_from_log
from tests.loopback.site import Response as SiteResponse
from tests.test_discovery_probes_round14 import ChangedSite
from tests.test_incremental_probes_round20 import _latest, changed_site  # noqa: F401 (fixture)
from tests.test_verdict import EXIT_OK, judge


@pytest.mark.parametrize("name", [stat.DISCOVERY_REDIRECT_KNOWN, stat.DISCOVERY_NOT_ARTICLE_KNOWN, stat.GONE_KNOWN])
def test_a_run_whose_articles_the_aliases_settle_is_no_changed_url_scheme(name: str) -> None:
    # One removed (merged, video) story known, and a video link beside it: nothing new, as the run before.
    stats = {stat.DISCOVERY_SOURCES_READ: 1, stat.not_article("video"): 1, name: 2}
    assert judge(stats) == (EXIT_OK, "ok")


def test_a_short_link_pointed_at_another_story_with_a_later_date_is_asked_for_again(
    changed_site: ChangedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    site = changed_site
    record = sorted(site.articles, key=lambda r: r.published)[-1]
    older = sorted(site.articles, key=lambda r: r.published)[0]
    short = "http://mybs.in/r20Re"
    target = {"url": record.url}
    site.change("/r20Re", lambda _s, _normal: SiteResponse(301, b"", "text/plain", (("Location", target["url"]),)))
    hidden: list[str] = []

    def feed(_s: object, normal: SiteResponse) -> SiteResponse:
        body = normal.body.replace(f">{record.url}<".encode(), f">{short}<".encode())
        for url in hidden:  # (a story the feed does not list by its own address)
            body = body.replace(f">{url}<".encode(), f">{older.url}<".encode())
        return normal._replace(body=body)

    site.change("/rss/latest.rss", feed)
    monkeypatch.setenv("http_proxy", site.base_url)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings = {"BS_LATEST_SOURCES": "/rss/latest.rss"}
    first = _latest(site, tmp_path, **settings)
    assert first.status == 0 and record.article_id in first.ids(), first.log[-3000:]
    # The site gives the short code to a new story, listed by the short link alone; the feed's date for
    # the item moves on (the item is the old story's, modified).
    (new,) = site.add_articles(1)
    hidden.append(new.url)
    target["url"] = new.url
    site.modify(record.article_id)
    site.change("/rss/latest.rss", feed)
    site.reset_counts()
    second = _latest(site, tmp_path, **settings)
    assert site.counts["/r20Re"] == 1, (site.counts, second.log[-3000:])
    assert new.article_id in second.ids(), second.log[-3000:]
    # Listed again with that date: the alias (to the new story) is trusted, nothing asked for.
    site.reset_counts()
    third = _latest(site, tmp_path, **settings)
    assert site.counts["/r20Re"] == 0 and third.items == [], (site.counts, third.log[-3000:])
    assert stats_from_log(third.log).get(stat.DISCOVERY_SHORT_LINK_KNOWN) == 1
