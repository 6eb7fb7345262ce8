"""Round 25 probes of the Hindi edition end to end: ``scrapy crawl`` runs against the loopback site answering for its hosts."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from crawler import stats as stat
from tests.e2e import crawl, scrapy, stats_from_log
from tests.loopback.hindi import DESKTOP, MOBILE, Answer
from tests.loopback.site import LoopbackSite, Response
from tests.pages.cases import HINDI_BUDGET, render_hindi

HINDI = f"https://{DESKTOP}"
STORY = HINDI_BUDGET.autono
FORMS = {
    "desktop": f"{HINDI}/storypage.php?autono={STORY}",
    "amp": f"{HINDI}/article-amp/economy/section_economy-{STORY}_1.html",
    "mobile": f"https://{MOBILE}/article/economy/section_economy-{STORY}_1.html",
}
# What the site is asked for, whichever form was given: the canonical desktop page.
ASKED = f"{DESKTOP}/storypage.php?autono={STORY}"
FEED = f"{HINDI}/rss/latest.rss"
PORTS = range(16850, 16900)


class FeedSite(LoopbackSite):
    """The loopback site with answers of a test's own for some of its documents (``feed_answers[path]``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.feed_answers: dict[str, Answer] = {}

    def respond(self, path: str) -> Response:
        answer = self.feed_answers.get(path)
        return Response(*answer) if answer is not None else super().respond(path)


def _site() -> FeedSite:
    for port in PORTS:
        try:
            return FeedSite(articles=8, seed=25, days=2, legacy=0, port=port, slow_seconds=2)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


@pytest.fixture(scope="module")
def running() -> Iterator[FeedSite]:
    with _site() as site:
        yield site
        assert site.errors == []


@pytest.fixture()
def site(running: FeedSite, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedSite]:
    # The Hindi hosts are the loopback site, reached as the crawler's proxy (https through a CONNECT
    # tunnel it answers itself): nothing leaves the machine.
    for name in ("http_proxy", "https_proxy"):
        monkeypatch.setenv(name, running.base_url)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    running.hindi.reset()
    running.feed_answers.clear()
    running.reset_counts()
    yield running
    running.hindi.reset()
    running.feed_answers.clear()


def _settings(site: FeedSite, **more: str) -> dict[str, str]:
    return {"BS_BASE_URL": site.base_url, **more}


def _no_story(_normal: Answer) -> Answer:
    """The site's story template with no story in it, sent with 200, as its PHP answers a number it has no story of."""
    empty = replace(HINDI_BUDGET, headline="", paragraphs=[], keywords=[], author="", city="")
    return Answer(200, render_hindi(empty).encode())


def _not_found_titled(_normal: Answer) -> Answer:
    """A "page not found" page of the site's own, titled in Hindi, sent with 200."""
    return Answer(200, render_hindi(replace(HINDI_BUDGET, headline="", paragraphs=[])).replace("<title>", "<title>पेज नहीं मिला | ", 1).encode())


# --- one story, whatever address it is given by ---------------------------------------------------


def test_a_story_given_by_its_desktop_amp_and_mobile_addresses_is_fetched_once_with_its_devanagari_intact(site: FeedSite, tmp_path: Path) -> None:
    result = crawl("article", tmp_path, "-a", "urls=" + ",".join(FORMS.values()), settings=_settings(site))
    assert result.status == 0, result.log[-3000:]
    [item] = result.items
    assert (item["articleId"], item["inLanguage"], item["headline"]) == (f"hi-{STORY}", "hi", HINDI_BUDGET.headline)
    assert site.hindi.counts[ASKED] == 1 and site.hindi.story_requests(STORY) == 1
    # UTF-8, as FEED_EXPORT_ENCODING says: the words as they are, no \u escapes.
    written = next(tmp_path.glob("out-*.jsonl")).read_text(encoding="utf-8")
    assert HINDI_BUDGET.headline in written and "\\u09" not in written


def test_a_story_that_redirects_to_its_mobile_twin_is_read_once(site: FeedSite, tmp_path: Path) -> None:
    site.hindi.changed[ASKED] = lambda _normal: Answer(301, b"", headers=(("Location", FORMS["mobile"]),))
    result = crawl("article", tmp_path, "-a", f"url={FORMS['desktop']}", settings=_settings(site))
    assert result.status == 0, result.log[-3000:]
    assert result.ids() == [f"hi-{STORY}"] and result.items[0]["headline"] == HINDI_BUDGET.headline


# --- the encodings a 2020 PHP site sends its UTF-8 pages in ----------------------------------------


def _declared(content_type: str, meta: str | None) -> object:
    def answer(normal: Answer) -> Answer:
        body = normal.body
        if meta is not None:
            body = body.replace(b"charset=utf-8", f"charset={meta}".encode()).replace(b'charset="utf-8"', f'charset="{meta}"'.encode())
        return Answer(200, body, content_type)

    return answer


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=utf-8", None),
        ("text/html", None),
        ("text/html", "windows-1252"),
        ("text/html", "iso-8859-1"),
        ("text/html; charset=iso-8859-1", None),
        ("text/html; charset=windows-1252", "windows-1252"),
    ],
    ids=["utf8-header", "no-charset", "meta-cp1252", "meta-latin1", "header-latin1", "header-and-meta-cp1252"],
)
def test_a_utf8_page_declared_in_any_encoding_keeps_its_devanagari(site: FeedSite, tmp_path: Path, content_type: str, meta: str | None) -> None:
    site.hindi.changed[ASKED] = _declared(content_type, meta)  # type: ignore[assignment]
    result = crawl("article", tmp_path, "-a", f"url={FORMS['desktop']}", settings=_settings(site))
    assert result.status == 0, result.log[-3000:]
    [item] = result.items
    assert item["headline"] == HINDI_BUDGET.headline
    assert item["articleBody"].startswith(HINDI_BUDGET.paragraphs[0][:40]) and "\ufffd" not in item["articleBody"]


# --- discovery: a Hindi feed, a Hindi story in an English feed, one number in both editions ------------


def test_a_hindi_feed_and_an_english_feed_give_every_story_once_and_nothing_the_next_run(site: FeedSite, tmp_path: Path) -> None:
    english = site.articles[-1]
    # A Hindi story numbered as an English one (the last digits of its id, and its whole id): both kept.
    for autono in (int(english.article_id[-6:]), 170001):
        site.hindi.add(autono, hours=autono % 7)
    settings = _settings(site, BS_LATEST_SOURCES=f"/rss/latest.rss,{FEED}")
    result = crawl("latest", tmp_path, settings=settings)
    assert result.status == 0, result.log[-3000:]
    ids = result.ids()
    hindi = sorted(i for i in ids if i.startswith("hi-"))
    assert hindi == sorted(f"hi-{n}" for n in site.hindi.stories), ids
    assert english.article_id in ids and f"hi-{english.article_id[-6:]}" in ids
    assert len(ids) == len(set(ids))
    assert all(item["inLanguage"] == ("hi" if item["articleId"].startswith("hi-") else "en") for item in result.items)
    assert all(n == 1 for key, n in site.hindi.counts.items() if "storypage" in key)
    site.hindi.reset()
    again = crawl("latest", tmp_path, settings=settings)
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert not any("storypage" in key for key in site.hindi.counts)


def test_feeds_linking_hindi_stories_by_their_amp_and_mobile_pages_fetch_each_desktop_page_once(site: FeedSite, tmp_path: Path) -> None:
    # The English feed links one Hindi story by its AMP page; the Hindi feed links every story by its AMP page.
    english_feed = site.respond("/rss/latest.rss").body.replace(
        b"</channel>", f"<item><title>h</title><link>{FORMS['amp']}</link><guid>{FORMS['amp']}</guid></item></channel>".encode()
    )
    site.feed_answers["/rss/latest.rss"] = Answer(200, english_feed, "application/rss+xml; charset=utf-8")
    site.hindi.feed_links = lambda story: FORMS["amp"].replace(str(STORY), str(story.autono))
    settings = _settings(site, BS_LATEST_SOURCES=f"/rss/latest.rss,{FEED}")
    result = crawl("latest", tmp_path, settings=settings)
    assert result.status == 0, result.log[-3000:]
    assert sorted(i for i in result.ids() if i.startswith("hi-")) == sorted(f"hi-{n}" for n in site.hindi.stories)
    assert site.hindi.counts[ASKED] == 1 and site.hindi.story_requests(STORY) == 1
    # The same stories by their mobile addresses over http next run: known, not fetched.
    site.hindi.reset()
    site.hindi.feed_links = lambda story: f"http://{MOBILE}/article/economy/section_economy-{story.autono}_1.html"
    again = crawl("latest", tmp_path, settings=settings)
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert site.hindi.story_requests(STORY) == 0 and not any("storypage" in key for key in site.hindi.counts)


# --- a story the site does not have ------------------------------------------------------------------


@pytest.mark.parametrize("answer", [_no_story, _not_found_titled], ids=["empty-template", "hindi-not-found-title"])
def test_a_story_the_site_answers_with_its_empty_template_is_a_404_not_a_redesign(site: FeedSite, tmp_path: Path, answer: object) -> None:
    """Before: skipped as a page with no headline, asked for again at every run, and a run of it alone
    exited 5, "none could be extracted", as a redesign does."""
    site.hindi.changed[ASKED] = answer  # type: ignore[assignment]
    result = crawl("article", tmp_path, "-a", f"url={FORMS['desktop']}", settings=_settings(site))
    assert result.status == 1 and result.items == [], result.log[-3000:]
    assert "(a 'page not found' page, sent with 200)" in result.log
    stats = stats_from_log(result.log)
    assert stats.get(stat.failed("http-404")) == 1 and not stats.get(stat.skipped("no-headline")), stats


def test_a_removed_story_a_feed_still_links_is_remembered_as_gone(site: FeedSite, tmp_path: Path) -> None:
    site.hindi.changed[ASKED] = _no_story
    settings = _settings(site, BS_LATEST_SOURCES=FEED)
    result = crawl("latest", tmp_path, settings=settings)
    assert result.status == 0, result.log[-3000:]
    assert f"hi-{STORY}" not in result.ids() and len(result.items) == len(site.hindi.stories) - 1
    assert stats_from_log(result.log).get(stat.failed("http-404")) == 1
    site.hindi.reset()
    site.hindi.changed[ASKED] = _no_story
    again = crawl("latest", tmp_path, settings=settings)
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert not stats_from_log(again.log).get(stat.failed("http-404"))


def test_storypage_without_a_story_number_is_a_404(site: FeedSite, tmp_path: Path) -> None:
    site.hindi.changed[f"{DESKTOP}/storypage.php"] = _no_story
    result = crawl("article", tmp_path, "-a", f"url={HINDI}/storypage.php", settings=_settings(site))
    assert result.status == 1 and result.items == [], result.log[-3000:]
    assert "(a 'page not found' page, sent with 200)" in result.log and "Traceback" not in result.log


# --- after the crawl: reextract, merge, the verdict -------------------------------------------------------


def test_a_hindi_only_run_is_judged_ok_and_its_cache_reextracts_and_merges_to_the_same_stories(site: FeedSite, tmp_path: Path) -> None:
    for n in range(1, 4):
        site.hindi.add(180000 + n, hours=n)
    cache = tmp_path / "cache"
    crawled = crawl("latest", tmp_path / "crawl", settings=_settings(site, BS_LATEST_SOURCES=FEED, HTTPCACHE_ENABLED="1", HTTPCACHE_DIR=str(cache)))
    # Seven stories, all Hindi: over BS_COVERAGE_MIN_ITEMS, no field short of its floor.
    assert crawled.status == 0 and len(crawled.items) == len(site.hindi.stories) >= 5, crawled.log[-3000:]
    again = crawl("reextract", tmp_path / "reextract", "-a", f"source={cache}", settings=_settings(site))
    assert again.status == 0, again.log[-3000:]
    by_id = {item["articleId"]: item for item in crawled.items}
    assert sorted(item["articleId"] for item in again.items) == sorted(by_id)
    for item in again.items:
        assert {k: v for k, v in item.items() if k not in ("version", "dateDownloaded")} == {
            k: v for k, v in by_id[item["articleId"]].items() if k not in ("version", "dateDownloaded")
        }
    merged = tmp_path / "merged.jsonl"
    done = scrapy(tmp_path, "merge", str(merged), str(tmp_path / "crawl"), str(tmp_path / "reextract"))
    assert done.returncode == 0, done.stderr[-2000:]
    lines = merged.read_text(encoding="utf-8").splitlines()
    kept = [json.loads(line) for line in lines]
    assert sorted(item["articleId"] for item in kept) == sorted(by_id)
    # Reextract's lines, the crawl's fetches read again (dated by the cache as the answers came, the crawl's
    # items a moment later), replace the crawl's: a rules fix merged into the old feed (tests/test_reextract_probes_round27.py).
    assert all(item["version"] is None for item in kept)
    assert f"{len(by_id)} replaced by a later reading of the same fetch or a later fetch without a version (0 changed)" in done.stdout
    assert HINDI_BUDGET.headline in merged.read_text(encoding="utf-8")
