"""Probes of faults carried over from earlier rounds: the seen-store's retention, agency bylines whose city or reporter ran into the agency's name, paid content."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.monitoring.verdict import RunVerdictExtension
from crawler.extraction import NotAnArticle, extract
from crawler.extraction.urls import SPONSORED, is_story_url, non_article_kind
from crawler.incremental.store import PendingArticle, SqliteSeenStore
from tests.conftest import ROOT, SITE
from tests.test_extraction_probes import PAYWALL_BOX, PREMIUM_LABEL
from tests.test_extraction_probes import _fixture as _named_fixture
from tests.test_extraction_probes_more import _fixture
from tests.test_extraction_probes_round15 import NEXT, _with_data, _with_ld
from tests.test_extraction_probes_round21 import SPAN, _amp, _names
from tests.test_extraction_probes_round23 import _next_js
from tests.test_once_probes_round15 import Runs, latest, page

DAY = timedelta(days=1)


def _store_with(path: Path, ages: dict[str, timedelta | None]) -> None:
    """A seen-store holding one article per id, each last stored ``age`` ago (None: by a release that
    kept no such time)."""
    store = SqliteSeenStore(path)
    for article_id in ages:
        store.add_pending(PendingArticle(article_id, 1, "h", None, None, "latest:earlier"))
        store.confirm(article_id, "latest:earlier")
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        if "stored_at" not in {row[1] for row in db.execute("PRAGMA table_info(seen)")}:
            db.execute("ALTER TABLE seen ADD COLUMN stored_at TEXT")  # (main's store has none: nothing reads it)
        now = datetime.now(timezone.utc)
        for article_id, age in ages.items():
            at = None if age is None else (now - age).replace(microsecond=0).isoformat()
            db.execute("UPDATE seen SET stored_at = ? WHERE article_id = ?", (at, article_id))
    finally:
        db.close()


def _ids(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT article_id FROM seen")}
    finally:
        db.close()


# --- the seen-store is pruned ------------------------------------------------------------------------


def test_a_run_forgets_only_articles_not_met_within_the_retention(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Before: nothing was ever removed from seen.sqlite3; a cron run every 5 minutes for years read
    # (quick_check at every start) and kept every article it had ever emitted.
    path = tmp_path / "state" / "seen.sqlite3"
    _store_with(path, {"119011800410": 500 * DAY, "123010100001": 401 * DAY, "123060100001": 399 * DAY,
                       "124010100001": 2 * DAY, "120010100001": None})
    caplog.set_level(logging.INFO, logger="crawler.incremental.extension")
    runs = Runs(tmp_path)
    assert [(a.articleId, a.version) for a in runs.run(page())] == [("124022800873", 1)]
    assert _ids(path) == {"123060100001", "124010100001", "120010100001", "124022800873"}
    assert "Seen-store: forgot 2 article(s) not met for 400 days" in caplog.text
    # The same day again: not pruned a second time (the prune reads the whole table).
    spider = latest(tmp_path)
    from crawler.incremental.extension import seen_store_extension

    extension = seen_store_extension(spider.crawler)
    assert extension is not None and extension.store is not None
    extension.settle()
    assert spider.crawler.stats.get_value(stat.STATE_SEEN_PRUNED) is None
    extension.engine_stopped()


def test_the_prune_is_counted_and_due_once_a_day(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    _store_with(path, {"123010100001": 401 * DAY, "123010100002": 300 * DAY, "124010100001": DAY})
    store = SqliteSeenStore(path)
    try:
        now = datetime.now(timezone.utc)
        assert store.prune_seen(400 * DAY, now) == 1
        assert store.prune_seen(400 * DAY, now + timedelta(hours=23)) is None, "pruned less than a day ago"
        assert store.prune_seen(400 * DAY, now + 101 * DAY) == 1  # 300 days then, 401 now
        assert _ids(path) == {"124010100001"}
    finally:
        store.close()


def test_an_article_of_a_live_run_or_met_again_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    _store_with(path, {"123010100001": 401 * DAY, "123010100002": 401 * DAY})
    store = SqliteSeenStore(path)
    try:
        # Fetched again, unchanged: a source still lists it, so it is kept another retention.
        again = PendingArticle("123010100001", 1, "h", None, None, "latest:now")
        assert store.claim(again, fresh=False, is_live=lambda run: False).outcome == "unchanged"
        # Updated by a run still writing it: its row stays until that run confirms.
        update = PendingArticle("123010100002", 2, "h2", None, None, "latest:now")
        assert store.claim(update, fresh=False, is_live=lambda run: False).outcome == "updated"
        assert store.prune_seen(400 * DAY) == 0
        store.confirm("123010100002", "latest:now")
        seen = store.get("123010100002")
        assert seen is not None and seen.version == 2
    finally:
        store.close()


def test_retention_zero_keeps_every_article(tmp_path: Path) -> None:
    path = tmp_path / "state" / "seen.sqlite3"
    _store_with(path, {"110010100001": 5000 * DAY})
    spider = latest(tmp_path)
    spider.crawler.settings.frozen = False
    from crawler.incremental.extension import SeenStoreExtension

    spider.crawler.settings.set("BS_SEEN_RETENTION_DAYS", 0)
    extension = SeenStoreExtension(spider.crawler)
    extension.settle()
    extension.engine_stopped()
    assert _ids(path) == {"110010100001"}
    assert spider.crawler.stats.get_value(stat.STATE_SEEN_PRUNED) is None


KILLED_MID_PRUNE = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    from crawler.incremental.store import SqliteSeenStore

    store = SqliteSeenStore(__import__("pathlib").Path(sys.argv[1]))
    run = store._run
    def killed_at_commit(sql, args=()):
        if sql == "COMMIT":
            os.kill(os.getpid(), signal.SIGKILL)  # after the DELETE, before its COMMIT
        return run(sql, args)
    store._run = killed_at_commit
    store.prune_seen(timedelta(days=400))
    """
)


def test_a_store_killed_mid_prune_is_intact(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    ages = {f"1230101{n:05d}": (401 if n % 2 else 10) * DAY for n in range(200)}
    _store_with(path, ages)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED_MID_PRUNE, str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _ids(path) == set(ages), "the kill took the whole prune back"
    assert not (tmp_path / "seen.pruned").exists(), "so the next run prunes"
    SqliteSeenStore.check(type("S", (), {"get": lambda self, name, default=None: str(tmp_path) if name == "BS_STATE_DIR" else default})())
    store = SqliteSeenStore(path)
    try:
        assert store.prune_seen(400 * DAY) == 100
        assert _ids(path) == {a for a, age in ages.items() if age < 400 * DAY}
    finally:
        store.close()


# --- an agency's city or reporter run into its name ----------------------------------------------------

AGENCY_BYLINES = [
    # A reporter's name after the agency's is no dateline (before: dateline "Singh").
    ("PTI Singh", ["PTI", "Singh"], None),
    ("By PTI Singh", ["PTI", "Singh"], None),  # (before: one author "PTI Singh")
    ("IANS Sharma", ["IANS", "Sharma"], None),
    ("PTI Aditi Shah", ["PTI", "Aditi Shah"], None),
    ("<span>PTI</span> <span>Singh</span>", ["PTI", "Singh"], None),
    # The agency's city, as its wire writes it, is no author (before: one author "New Delhi (PTI)").
    ("New Delhi (PTI)", ["PTI"], "New Delhi"),
    ("(PTI) New Delhi", ["PTI"], "New Delhi"),
    ("Mumbai (Reuters)", ["Reuters"], "Mumbai"),
    ("New Delhi, PTI", ["PTI"], "New Delhi"),  # (before: authors "New Delhi" and "PTI")
    ("PTI, New Delhi", ["PTI"], "New Delhi"),
    # As before: a city no list holds after an agency is its dateline; two agencies are one name.
    ("Reuters Kozhikode", ["Reuters"], "Kozhikode"),
    ("AP Miami", ["AP"], "Miami"),
    ("AP Bloomberg", ["AP Bloomberg"], None),
]


@pytest.mark.parametrize(("byline", "authors", "city"), AGENCY_BYLINES)
def test_a_next_js_agency_byline_names_no_city_and_dates_from_no_name(byline: str, authors: list[str], city: str | None) -> None:
    article = _next_js(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), AGENCY_BYLINES)
@pytest.mark.parametrize("form", ["site-span", "byline-div"])
def test_an_amp_agency_byline_names_no_city_and_dates_from_no_name(byline: str, authors: list[str], city: str | None, form: str) -> None:
    article = _amp(SPAN.format(byline) if form == "site-span" else f'<div class="byline">{byline}</div>')
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(
    ("byline", "authors"),
    [("PTI Singh", ["PTI", "Singh"]), ("PTI Aditi Shah", ["PTI", "Aditi Shah"]), ("New Delhi (PTI)", ["PTI"]), ("PTI", ["PTI"])],
)
def test_with_the_story_s_city_in_its_data_what_follows_the_agency_is_a_reporter(byline: str, authors: list[str]) -> None:
    # Before: one author "PTI Singh" (the agency's name in a person's), and "New Delhi (PTI)".
    article = _next_js(SPAN.format(byline), place="New Delhi")
    assert (_names(article), article.dateline) == (authors, "New Delhi")


@pytest.mark.parametrize("key", ["authorName", "sourceTitle"])
@pytest.mark.parametrize(("value", "authors"), [("New Delhi (PTI)", ["PTI"]), ("PTI Singh", ["PTI", "Singh"]), ("Press Trust of India", ["Press Trust of India"])])
def test_the_article_json_s_agency_credit_names_no_city(key: str, value: str, authors: list[str]) -> None:
    # Before: the author "New Delhi (PTI)", or "PTI Singh", from the article JSON's one string.
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for name in ("authorDetails", "articleMappedMultipleAuthors", "authorName", "sourceTitle"):
            data.pop(name, None)
        data[key] = value

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    assert (_names(article), article.dateline) == (authors, "New Delhi")


# --- paid content: "Brand Connect" pages and press releases ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/content/press-releases-ani/acme-launches-a-widget-124022800873_1.html",
        "/content/press-release/acme-launches-a-widget-124022800873_1.html",
        "/brand-connect/acme-launches-a-widget-124022800873_1.html",
        "/amp/brand-connect/acme-launches-a-widget-124022800873_1.html",
        "/markets/brand-connect/acme-launches-a-widget-124022800873_1.html",
    ],
)
def test_a_paid_story_s_address_is_no_story_of_the_feed(path: str) -> None:
    # Before: a story's address like any other (fetched, and written as the paper's news where
    # robots.txt did not forbid it).
    url = SITE + path
    assert (non_article_kind(url), is_story_url(url)) == (SPONSORED, False)


def test_a_story_about_press_releases_is_still_a_story() -> None:
    url = SITE + "/companies/news/sebi-tightens-rules-on-press-releases-124022800873_1.html"
    assert (non_article_kind(url), is_story_url(url)) == (None, True)


def _premium_page_labelled(label: str) -> tuple[str, str]:
    html, url = _named_fixture("nextjs-2023/premium")
    return html.replace(PAYWALL_BOX, "").replace(PREMIUM_LABEL, PREMIUM_LABEL.replace(">Premium<", f">{label}<")), url


@pytest.mark.parametrize("label", ["Brand Connect", "Sponsored", "Partner Content"])
def test_a_page_labelled_as_paid_content_is_skipped_as_such(label: str) -> None:
    # Before: written as a story of the paper's (its label ignored).
    html, url = _premium_page_labelled(label)
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode(), url)
    assert raised.value.reason == SPONSORED


@pytest.mark.parametrize("source", ["ANI PR", "PR Newswire", "NewsVoir", "Brand Connect"])
def test_a_press_release_wire_s_credit_in_the_article_json_is_no_story(source: str) -> None:
    html, url, _ = _fixture(NEXT)
    with pytest.raises(NotAnArticle) as raised:
        extract(_with_data(html, lambda d: d.__setitem__("sourceTitle", source)).encode(), url)
    assert raised.value.reason == SPONSORED


def test_json_ld_s_paid_section_is_no_story() -> None:
    html, url, _ = _fixture(NEXT)
    with pytest.raises(NotAnArticle) as raised:
        extract(_with_ld(html, lambda a: a.__setitem__("articleSection", "Brand Connect")).encode(), url)
    assert raised.value.reason == SPONSORED


@pytest.mark.parametrize("source", ["PTI", "ANI", "Reuters", "Press Trust of India", "Business Standard"])
def test_a_news_agency_s_credit_stays_a_story(source: str) -> None:
    html, url, _ = _fixture(NEXT)
    assert extract(_with_data(html, lambda d: d.__setitem__("sourceTitle", source)).encode(), url).article.headline


def test_a_related_card_labelled_brand_connect_does_not_make_the_story_paid() -> None:
    html, url = _named_fixture("nextjs-2023/premium")
    card = '<div class="card"><a href="/x/other-124070800259_1.html">Other story</a><span class="MainStory_strlabel__Lk8Mn strlabel">Brand Connect</span></div>'
    html = html.replace("</body>", card + "</body>", 1)
    assert extract(html.encode(), url).article.isPremium


def test_a_run_whose_only_new_link_was_a_paid_story_is_ok() -> None:
    # Before: "discovery found 1 new or changed article(s) but none could be extracted", exit 5 (a redesign).
    extension = RunVerdictExtension.__new__(RunVerdictExtension)
    extension.output_failed = False
    extension.max_blocked_share, extension.max_invalid_share, extension.max_failed_share = 0.5, 0.2, 0.5
    extension.min_coverage, extension.coverage_min_items, extension.max_failed_sources = {}, 5, -1
    extension.max_splash_failed_share = 0.5
    extension.earlier_items = []
    stats = {stat.DISCOVERY_SOURCES_READ: 1, stat.DISCOVERY_NEW: 1, stat.skipped(SPONSORED): 1}
    assert extension.verdict(stats, "finished")[0] == 0
    # A page of no layout beside it is still the alarm it was.
    assert extension.verdict({**stats, stat.DISCOVERY_NEW: 2, stat.skipped("unknown-layout"): 1}, "finished")[0] == 5
