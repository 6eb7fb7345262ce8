"""Probes of the run's verdict, exit status, history and commands: what a user, cron or a broken site
can hand them, and what the status and the one line must then say."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.commands.crawl import setting_problems
from crawler import settings as project_settings
from crawler import stats as stat
from crawler.monitoring.history import RUNS_FILE, RunHistory, status_words, summarise
from crawler.monitoring.verdict import EXIT_EXTRACTION, EXIT_FAILED, EXIT_USAGE, RunVerdictExtension
from tests.e2e import scrapy, history
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite

NOWHERE = "http://127.0.0.1:9"  # nothing is fetched by a refused run




# --- wrong -s values: one line and exit 2, like wrong -a values ------------------------------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("BS_MAX_BLOCKED_SHARE=abc", "BS_MAX_BLOCKED_SHARE"),  # read by the verdict at start-up
        ("BS_COVERAGE_MIN_ITEMS=many", "BS_COVERAGE_MIN_ITEMS"),
        ("BS_MAX_FAILED_SOURCES=1.5", "BS_MAX_FAILED_SOURCES"),  # a whole number
        ("BS_MIN_FIELD_COVERAGE=authors", "BS_MIN_FIELD_COVERAGE"),  # not JSON
        ('BS_MIN_FIELD_COVERAGE={"authors": "most"}', "BS_MIN_FIELD_COVERAGE"),
        ('BS_MIN_FIELD_COVERAGE={"author": 0.8}', "author is no field of the article"),  # a typo: an alarm that never goes off
        ("BS_RUN_HISTORY=maybe", "BS_RUN_HISTORY"),  # the refusal's own record reads it
        ("BS_PROGRESS_INTERVAL=-5", "BS_PROGRESS_INTERVAL"),
        ("BS_MAX_INVALID_SHARE=20", "BS_MAX_INVALID_SHARE"),  # a share: 0 to 1
        ("DOWNLOAD_TIMEOUT=30s", "DOWNLOAD_TIMEOUT"),  # Scrapy's own
        ("CLOSESPIDER_TIMEOUT=-600", "CLOSESPIDER_TIMEOUT"),
    ],
)
def test_a_wrong_setting_value_is_one_error_line_and_exit_2(tmp_path: Path, setting: str, words: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", setting)
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-3000:]
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and record["finish_reason"] == "refused" and words in str(record["reason"])


@pytest.mark.parametrize(
    "setting",
    [
        "CLOSESPIDER_TIMEOUT=1.5", "DOWNLOAD_TIMEOUT=7.5", "DEPTH_PRIORITY=-1", "BS_MAX_FAILED_SOURCES=-1",
        "BS_MAX_FAILED_SOURCES=0", "BS_FUTURE_DATE_SKEW=0.5", "BS_REDIS_IDLE_SECONDS=2.5", "BS_RETRY_AFTER_MAX=0.5",
        "BS_RATE_LIMIT_WAIT=0.5", "BS_FEED_CLOSE_TIMEOUT=1.5", 'BS_MIN_FIELD_COVERAGE={"authors": 0.5}',
        "BS_FRESH=1", "BS_FRESH=true", "BS_MAX_BLOCKED_SHARE=1", "BS_LATEST_SOURCES=/rss/latest.rss",
        'FEEDS={"out.jsonl": {"format": "jsonlines"}}', "LOG_LEVEL=INFO", "JOBDIR=job", "SOME_SETTING_OF_ONES_OWN=x",
    ],
)
def test_right_setting_values_pass(setting: str) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    name, value = setting.split("=", 1)
    replaced = {name: settings.get(name)}
    settings.set(name, value, priority="cmdline")
    assert setting_problems({name: value}, replaced, settings) == {}


def test_a_refusal_for_a_wrong_setting_keeps_the_right_ones(tmp_path: Path) -> None:
    # Recorded in the state dir the command line names, not in the default one.
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", "BS_STATE_DIR=elsewhere", "-s", "BS_RUN_HISTORY=maybe")
    assert done.returncode == EXIT_USAGE and "BS_RUN_HISTORY" in done.stderr
    assert not (tmp_path / ".state").exists()
    [record] = [json.loads(line) for line in (tmp_path / "elsewhere" / RUNS_FILE).read_text().splitlines()]
    assert record["status"] == EXIT_USAGE and "BS_RUN_HISTORY" in record["reason"]


# --- articles found, none extracted: a site that is down is not a redesign ---------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=72, legacy=0, slow_seconds=3) as running:
        yield running


@pytest.fixture
def clean_site(site: LoopbackSite) -> Iterator[LoopbackSite]:
    site.clear_faults()
    yield site
    site.clear_faults()


def latest(site: LoopbackSite, workdir: Path, **settings: str) -> CrawlResult:
    return crawl("latest", workdir, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", **settings}, timeout=180)


def summary(log: str) -> str:
    (line,) = [line for line in log.splitlines() if "Run summary:" in line]
    return line


@pytest.mark.parametrize(
    ("fault", "settings", "reason"),
    [
        ("error503-always", {"RETRY_TIMES": "1"}, "http-503"),  # the origin down behind the CDN
        ("slow", {"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "1"}, "timeout"),
        ("404", {}, "http-404"),
    ],
)
def test_articles_that_all_fail_to_download_are_a_failed_run_not_a_redesign(
    clean_site: LoopbackSite, tmp_path: Path, fault: str, settings: dict[str, str], reason: str
) -> None:
    for record in clean_site.articles:
        clean_site.set_fault(record.article_id, fault)
    result = latest(clean_site, tmp_path, **settings)
    assert "Traceback" not in result.log
    assert result.status == EXIT_FAILED, summary(result.log)
    line = summary(result.log)
    assert "none could be fetched" in line and f"{reason}=" in line and "redesign" not in line
    [record] = history(tmp_path)
    assert record["status"] == EXIT_FAILED and "none could be fetched" in str(record["reason"])


def test_articles_that_all_fail_extraction_are_still_an_extraction_failure_naming_why(clean_site: LoopbackSite, tmp_path: Path) -> None:
    for record in clean_site.articles:
        clean_site.set_fault(record.article_id, "paywall-stub")
    clean_site.set_fault(clean_site.articles[0].article_id, "error503-always")
    result = latest(clean_site, tmp_path, RETRY_TIMES="0")
    assert result.status == EXIT_EXTRACTION, summary(result.log)
    line = summary(result.log)
    assert "none could be extracted" in line and "http-503=1" in line
    assert re.search(r"exit=5 \(.*none could be extracted \(skipped: [a-z-]+=11; failed: http-503=1\)", line), line


# --- the run history -----------------------------------------------------------------------------------


def test_the_history_counts_what_the_summary_line_counts() -> None:
    # A fresh=1 run (unchanged articles emitted again) whose feed failed after 7 of its 9 items.
    stats: dict[str, object] = {
        stat.NEW: 3, stat.UPDATED: 1, stat.UNCHANGED: 5, stat.DISCOVERY_UNCHANGED_SKIPPED: 2,
        "item_scraped_count": 9, "item_dropped_count": 2, stat.dropped_missing("headline"): 2,
        stat.OUTPUT_DELIVERED: 7, stat.OUTPUT_UNDELIVERED: 2, stat.BLOCKED: 1, stat.skipped("empty"): 1,
        stat.failed("timeout"): 4, stat.layout("nextjs-2023"): 11,
    }
    line = RunVerdictExtension.summary(stats, "finished", 6, "the output could not be written")
    on_the_line = {name: int(value) for name, value in re.findall(r"\b(new|updated|unchanged|emitted|skipped|failed|dropped|blocked)=(\d+)", line)}
    counts = summarise(stats, [])["counts"]
    assert {name: counts[name] for name in on_the_line} == on_the_line


def test_a_record_after_a_cut_line_is_not_lost(tmp_path: Path) -> None:
    history = RunHistory(tmp_path)
    history.append({"started": "2026-11-01T06:00:00+00:00", "spider": "latest", "status": 0})
    with open(history.path, "ab") as handle:
        handle.write(b'{"started": "2026-11-02T06:0')  # the disk filled up, or the machine went down, mid-line
    history.append({"started": "2026-11-03T06:00:00+00:00", "spider": "latest", "status": 4})
    assert [r["started"][:10] for r in history.records()] == ["2026-11-01", "2026-11-03"]


def test_every_exit_status_has_its_words() -> None:
    from crawler.monitoring import verdict

    statuses = {value for name, value in vars(verdict).items() if name.startswith("EXIT_")}
    assert {status: status_words(status) for status in statuses if status_words(status).startswith("exit ")} == {}


ODD_LINES = [
    '{"started": null, "spider": "latest"}',
    '{"started": "yesterday", "spider": "latest", "status": 0}',
    "[1, 2]",
    '"text"',
    '\x00\x00\x00\x00',  # a crash left the file's last block zeroed
    '{"started": "2026-10-30T06:00:00+00:00", "spider": "latest", "status": 9, "status_words": "exit 9"}',  # an older version's words
    '{"started": "2026-10-31T06:00:00+00:00", "spider": "latest", "status": 3}',  # no words at all
    '{"started": "2026-11-02T06:00:00+00:00", "spider": "latest", "status": 4, "status_words": "blocked", "counts": [1],'
    ' "coverage": {"authors": null}, "arguments": ["a"], "versions": null, "layouts": "x", "failed": 3}',
]


def test_runs_and_report_skip_records_they_cannot_read(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    state = tmp_path / ".state"
    state.mkdir()
    good = {"started": "2026-11-01T06:00:00+00:00", "spider": "latest", "status": 0, "status_words": "ok", "counts": {"new": 7}}
    (state / RUNS_FILE).write_text("\n".join([json.dumps(good), *ODD_LINES]) + "\n")
    for args in (["runs"], ["runs", "--since", "2026-10-01"], ["runs", "--spider", "latest"], ["report", "-o", "r.html"]):
        done = scrapy(tmp_path, *args)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr[-2000:])
        assert done.stderr == "", (args, done.stderr[-2000:])
    listed = scrapy(tmp_path, "runs").stdout.splitlines()
    assert [line.split()[:5] for line in listed[1:]] == [
        ["2026-11-02", "06:00:00", "latest", "blocked", "?"],
        ["2026-11-01", "06:00:00", "latest", "ok", "?"],
        ["2026-10-31", "06:00:00", "latest", "locked", "?"],
        ["2026-10-30", "06:00:00", "latest", "Splash", "failed"],
    ]
    assert [json.loads(line)["started"][:10] for line in scrapy(tmp_path, "runs", "--json").stdout.splitlines()] == [
        "2026-11-02", "2026-11-01", "2026-10-31", "2026-10-30"
    ]
    assert "4 runs written" in scrapy(tmp_path, "report", "-o", "r.html").stdout


def test_runs_and_report_on_an_empty_history(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / RUNS_FILE).write_text("")
    done = scrapy(tmp_path, "runs")
    assert done.returncode == 0 and done.stdout.startswith("no runs recorded in ") and done.stderr == ""
    done = scrapy(tmp_path, "report", "-o", "r.html")
    assert done.returncode == 0 and done.stderr == "" and "No runs recorded." in (tmp_path / "r.html").read_text()


# --- errors in callbacks and pipelines: articles lost to a bug are no ok run -------------------------------


class FailingPipeline:
    """An item pipeline of one's own that fails on every item whose id ends with a digit in ``TEST_FAIL_DIGITS``."""

    def __init__(self, digits: str) -> None:
        self.digits = digits

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailingPipeline:
        return cls(str(crawler.settings.get("TEST_FAIL_DIGITS", "")))

    def process_item(self, item: Any, spider: Any = None) -> Any:  # (Scrapy 2.13 passes the spider)
        if str(item.articleId)[-1] in self.digits:
            raise ValueError(f"cannot store {item.articleId}")
        return item


class BrokenExtraction:
    """An extension that makes extraction raise (a bug) on article pages whose id ends with a digit in ``TEST_FAIL_DIGITS``."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrokenExtraction:
        from crawler.spiders import base

        digits = str(crawler.settings.get("TEST_FAIL_DIGITS", ""))
        extract = base.extract

        def broken(body: bytes, url: str, *args: Any, **kwargs: Any) -> Any:
            if re.search(rf"[{digits}]_1\.html$", url):
                raise KeyError("headline")
            return extract(body, url, *args, **kwargs)

        base.extract = broken
        return cls()


# A -s dict replaces the project's: the project's components stay in.
PIPELINE = {"ITEM_PIPELINES": json.dumps({**project_settings.ITEM_PIPELINES, f"{__name__}.FailingPipeline": 250})}
BROKEN = {"EXTENSIONS": json.dumps({**project_settings.EXTENSIONS, f"{__name__}.BrokenExtraction": 0})}


@pytest.mark.parametrize(("settings", "kind"), [(PIPELINE, "pipeline: ValueError"), (BROKEN, "callback: KeyError")])
def test_articles_lost_to_errors_fail_the_run_and_the_line_counts_them(
    clean_site: LoopbackSite, tmp_path: Path, settings: dict[str, str], kind: str
) -> None:
    lost = [r.article_id for r in clean_site.articles if r.article_id[-1] in "01"]
    assert lost and len(lost) < len(clean_site.articles)
    result = latest(clean_site, tmp_path, TEST_FAIL_DIGITS="01", **settings)
    assert sorted(result.ids()) == sorted(r.article_id for r in clean_site.articles if r.article_id not in lost)
    line = summary(result.log)
    assert result.status == EXIT_FAILED, line
    assert f" errors={len(lost)};" in line and f"lost to errors in callbacks or pipelines ({kind}={len(lost)})" in line, line
    [record] = history(tmp_path)
    assert record["status"] == EXIT_FAILED and record["counts"]["errors"] == len(lost)
    # They were not marked seen: the next run (without the bug) fetches and emits them.
    again = latest(clean_site, tmp_path)
    assert again.status == 0 and sorted(again.ids()) == sorted(lost), summary(again.log)


@pytest.mark.parametrize(("settings", "kind"), [(PIPELINE, "pipeline: ValueError"), (BROKEN, "callback: KeyError")])
def test_every_article_lost_to_errors_is_a_failed_run_not_a_redesign(
    clean_site: LoopbackSite, tmp_path: Path, settings: dict[str, str], kind: str
) -> None:
    result = latest(clean_site, tmp_path, TEST_FAIL_DIGITS="0123456789", **settings)
    line = summary(result.log)
    assert result.status == EXIT_FAILED and result.items == [], line
    assert f"lost to errors in callbacks or pipelines ({kind}={len(clean_site.articles)})" in line, line


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["runs"], "cannot read the run history .state/runs.jsonl: Is a directory"),
        (["report", "-o", "r.html"], "cannot read the run history .state/runs.jsonl: Is a directory"),
        (["runs", "-s", "BS_STATE_DIR=a-file"], "cannot read the run history a-file/runs.jsonl: Not a directory"),
        (["report", "-s", "BS_STATE_DIR=elsewhere", "-o", "a-file/r.html"], "cannot write the report a-file/r.html: its folder is not a directory"),
        (["report", "-s", "BS_STATE_DIR=elsewhere", "-o", "a-folder"], "cannot write the report a-folder: Is a directory"),
        (["runs", "-s", "REDIS_URL=redis://:secret@127.0.0.1:9/0", "-s", "BS_REDIS_TIMEOUT=1"], "cannot read the run history in Redis: "),
    ],
)
def test_runs_and_report_that_cannot_read_or_write_say_so_in_one_line(tmp_path: Path, args: list[str], words: str) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / ".state" / RUNS_FILE).mkdir(parents=True)
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-folder").mkdir()
    done = scrapy(tmp_path, *args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {words}"), done.stderr[-2000:]
    assert "secret" not in done.stderr
    assert sorted(p.name for p in (tmp_path / "a-folder").iterdir()) == [] and not list(tmp_path.glob("*.partial"))


# --- sources that were read but list no article: zero new because of breakage -----------------------------


class NewArticleUrls(LoopbackSite):
    """The loopback site after a change of its article URLs: feeds, sitemaps and listings link to pages
    whose URL carries no article id the crawler knows (``…-a124112400049`` for ``…-124112400049_1.html``)."""

    def _render_document(self, path: str, version: int) -> Any:
        answer = super()._render_document(path, version)
        if path.startswith(("/rss/", "/sitemap/")) or path == "/latest-news":
            return answer._replace(body=re.sub(rb"-(\d{12})_1\.html", rb"-a\1", answer.body))
        return answer


def test_sources_that_list_no_article_url_fail_the_run(tmp_path: Path) -> None:
    with NewArticleUrls(articles=12, seed=72, legacy=0) as changed:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": changed.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news"})
    line = summary(result.log)
    assert result.status == EXIT_FAILED, line
    assert re.search(r"exit=1 \(the 1 feeds, sitemaps or listings read list no article URL, only other URLs \(not_article/\w+=\d+", line), line


class VideoInSitemaps(LoopbackSite):
    """The loopback site whose sitemaps also list a video page (not an article)."""

    def _render_document(self, path: str, version: int) -> Any:
        answer = super()._render_document(path, version)
        if path.startswith("/sitemap/") and b"</urlset>" in answer.body:
            video = f"<url><loc>{self.base_url}{self.video.path}</loc></url></urlset>".encode()
            return answer._replace(body=answer.body.replace(b"</urlset>", video))
        return answer


def test_a_run_whose_articles_are_all_out_of_its_range_is_ok(tmp_path: Path) -> None:
    # An archive run for a day that has no article yet (a cron run just after midnight): its month's
    # sitemap lists the month's other days, and a video; nothing new is no failure.
    with VideoInSitemaps(articles=12, seed=72, legacy=0) as site:
        last = max(r.published.date() for r in site.articles)
        after = last + timedelta(days=1)
        assert after.month == last.month
        result = crawl("archive", tmp_path, "-a", f"since={after}", "-a", f"until={after}", settings={"BS_BASE_URL": site.base_url})
    assert result.status == 0 and result.items == [], summary(result.log)
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/not_article/video"] >= 1 and stats["bs/discovery/not_accepted"] >= 1


# --- partly down: most article pages failing is no ok run, a few are -----------------------------------------


@pytest.mark.parametrize(("failing", "status"), [(9, EXIT_FAILED), (2, 0)])
def test_most_article_pages_failing_fails_the_run_a_few_do_not(clean_site: LoopbackSite, tmp_path: Path, failing: int, status: int) -> None:
    for record in clean_site.articles[:failing]:
        clean_site.set_fault(record.article_id, "error503-always")
    result = latest(clean_site, tmp_path, RETRY_TIMES="0")
    line = summary(result.log)
    assert result.status == status, line
    assert len(result.items) == len(clean_site.articles) - failing
    if status:
        assert f"{failing} of {len(clean_site.articles)} new or changed article pages could not be fetched (http-503={failing})" in line


def test_an_item_a_pipeline_fails_on_is_one_line_with_its_id_and_url_not_the_whole_article(clean_site: LoopbackSite, tmp_path: Path) -> None:
    record = clean_site.articles[-1]
    result = latest(clean_site, tmp_path, TEST_FAIL_DIGITS=record.article_id[-1], **PIPELINE)
    lines = [line for line in result.log.splitlines() if " ERROR: " in line and "rror processing" in line]
    assert lines, result.log[-3000:]
    for line in lines:
        assert re.search(r"Error processing article \d{12} <http://127\.0\.0\.1:\d+/[^>]+>: ValueError: cannot store \d{12}$", line), line
    assert "articleBody=" not in result.log and "'articleBody'" not in result.log


# --- re-extraction: rules that read none of the stored pages are a failed run ---------------------------------


def test_a_reextraction_that_extracts_none_of_its_pages_is_an_extraction_failure(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        canonical = f"https://www.business-standard.com/markets/news/markets-close-higher-12402280087{n}_1.html"
        (pages / f"{n}.html").write_text(f'<html><head><link rel="canonical" href="{canonical}"><title>x</title></head><body><p>A new layout</p></body></html>')
    (pages / "video.html").write_text('<html><head><link rel="canonical" href="https://www.business-standard.com/video/x"></head></html>')
    result = crawl("reextract", tmp_path, "-a", f"source={pages}")
    line = summary(result.log)
    assert result.status == EXIT_EXTRACTION, line
    assert "3 stored article page(s) were read but none could be extracted (skipped: unknown-layout=3)" in line, line


# --- a redesign rolled out to part of the site (an A/B test): many pages of an unknown layout ---------------


class PartlyRedesigned(LoopbackSite):
    """The loopback site where the articles named in ``redesigned`` come in a layout the crawler does not know."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.redesigned: set[str] = set()
        super().__init__(*args, **kwargs)

    def _render_article(self, article_id: str, revision: int, form: str, variant: str) -> bytes:
        if article_id not in self.redesigned:
            return super()._render_article(article_id, revision, form, variant)
        record = self.corpus.by_id[article_id]
        return (
            f'<html><head><link rel="canonical" href="{self.base_url}{record.path}"><title>x</title></head>'
            "<body><main data-v='2027'><p>Read on in our app</p></main></body></html>"
        ).encode()


@pytest.mark.parametrize(("redesigned", "status"), [(5, EXIT_EXTRACTION), (1, 0)])
def test_many_pages_of_an_unknown_layout_are_an_extraction_failure_a_few_are_not(tmp_path: Path, redesigned: int, status: int) -> None:
    with PartlyRedesigned(articles=12, seed=72, legacy=0) as site:
        site.redesigned = {r.article_id for r in site.articles[:redesigned]}
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    line = summary(result.log)
    assert result.status == status, line
    assert len(result.items) == 12 - redesigned
    if status:
        assert f"{redesigned} of 12 article pages were of no layout the rules know (unknown-layout={redesigned})" in line, line


# --- a limit the user set on the run ----------------------------------------------------------------


def test_a_run_stopped_at_a_limit_the_user_set_is_ok_and_says_so(tmp_path: Path) -> None:
    # "-s CLOSESPIDER_ITEMCOUNT=3" (or CLOSESPIDER_TIMEOUT to keep a cron run in its slot) ended
    # "exit 1, the run ended with reason 'closespider_itemcount'": an alert on every such run,
    # although what it did not fetch stays unseen and is fetched next time.
    with LoopbackSite(articles=30, seed=41) as site:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "CLOSESPIDER_ITEMCOUNT": "3", "CONCURRENT_REQUESTS": "1"})
        assert result.status == 0, result.log[-3000:]
        assert len(result.items) >= 3  # (how many more were in flight when it stopped is Scrapy's to say)
        assert "finish=closespider_itemcount; exit=0 (ok, stopped at its limit (closespider_itemcount)" in result.log
        rest = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert rest.status == 0, rest.log[-3000:]
    assert not {i["articleId"] for i in result.items} & {i["articleId"] for i in rest.items}, "the rest, once"


@pytest.mark.parametrize("reason", ["closespider_timeout_no_item", "closespider_errorcount", "shutdown"])
def test_scrapys_watchdogs_and_a_shutdown_still_fail_the_run(reason: str) -> None:
    extension = RunVerdictExtension.__new__(RunVerdictExtension)
    extension.output_failed = False
    extension.max_blocked_share, extension.max_invalid_share, extension.max_failed_share = 0.5, 0.2, 0.5
    extension.min_coverage, extension.coverage_min_items, extension.max_failed_sources = {}, 5, -1
    extension.max_splash_failed_share = 0.5
    status, why = extension.verdict({stat.DISCOVERY_SOURCES_READ: 1}, reason)
    assert status == EXIT_FAILED and reason in why


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "lists no feed, sitemap or listing"),
        (" , ", "lists no feed, sitemap or listing"),
        # A whole URL on another host was refused at every run with a WARNING, the run "ok".
        ("/rss/latest.rss,https://example.org/rss/latest.rss", "'https://example.org/rss/latest.rss' is not on BS_BASE_URL's site"),
    ],
)
def test_latest_with_a_source_it_cannot_read_is_a_usage_error(tmp_path: Path, value: str, words: str) -> None:
    # A blanked BS_LATEST_SOURCES was an "ok" run that read nothing, on every run.
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_LATEST_SOURCES={value}", "-s", "BS_BASE_URL=http://127.0.0.1:9")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    assert words in done.stderr and "Traceback" not in done.stderr


def test_a_blank_entry_among_the_latest_sources_is_no_source(tmp_path: Path) -> None:
    # "/rss/latest.rss," (a trailing comma) read the home page as one more source.
    from scrapy.utils.test import get_crawler

    from crawler.spiders.latest import LatestSpider

    settings = {"BS_STATE_DIR": str(tmp_path / "state"), "BS_LATEST_SOURCES": "/rss/latest.rss, ,/latest-news,"}
    assert LatestSpider.from_crawler(get_crawler(LatestSpider, settings)).sources == ["/rss/latest.rss", "/latest-news"]
