"""Probes of the parts built on servers and of the project's commands: what a user, Splash, Redis or
scrapyd can hand them, and the one line and exit status that must then follow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.commands.crawl import setting_problems
from crawler.monitoring.verdict import EXIT_USAGE
from tests.e2e import scrapy, history
from tests.conftest import ROOT
from tests.test_redis import prefix, redis_url  # noqa: F401 (the fixtures: a running Redis, a key prefix of the test's own)
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)

NOWHERE = "http://127.0.0.1:9"  # nothing is fetched by a refused run




def problems_of(setting: str) -> dict[str, str]:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    name, value = setting.split("=", 1)
    replaced = {name: settings.get(name)}
    settings.set(name, value, priority="cmdline")
    return setting_problems({name: value}, replaced, settings)


def assert_one_usage_line(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-3000:]


# --- Scrapy's own numeric settings given badly: one line and exit 2, never a traceback or a hang ----


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        # Scrapy reads these with getint(): a decimal ended the run in a traceback after the banner.
        ("CONCURRENT_REQUESTS=1.5", "not a whole number"),
        ("RETRY_TIMES=2.5", "not a whole number"),
        ("DOWNLOAD_MAXSIZE=8e6", "not a whole number"),
        ("CLOSESPIDER_ITEMCOUNT=ten", "not a whole number"),
        # 0 requests per domain: nothing ever leaves and the run waits for ever (cron piles them up).
        ("CONCURRENT_REQUESTS_PER_DOMAIN=0", "at least 1"),
        # 0 items at a time: no response is ever parsed, every article found is lost.
        ("CONCURRENT_ITEMS=0", "at least 1"),
        # 0 requests at a time: Scrapy 2.13 sends none and waits for ever; later ones take it for no
        # limit at all, which no crawl of the site should be.
        ("CONCURRENT_REQUESTS=0", "at least 1"),
        # A socket timeout of 0 is a non-blocking socket: a Redis that answers well was "unreachable".
        ("BS_REDIS_TIMEOUT=0", "above 0"),
        ("BS_HEARTBEAT_TIMEOUT=0", "above 0"),
        # Handed to logging as they are: a traceback at start-up.
        ("LOG_LEVEL=debug", "not a log level"),
        ("LOG_LEVEL=VERBOSE", "not a log level"),
        ("LOG_ENCODING=utf9", "not a known text encoding"),
        # Every line of the output failed to encode: each article lost to an error, run after run.
        ("FEED_EXPORT_ENCODING=nope", "not a known text encoding"),
    ],
)
def test_a_setting_given_badly_is_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


@pytest.mark.parametrize(
    "setting",
    [
        # Scrapy reads these as decimals though their default is a whole number.
        "DOWNLOAD_TIMEOUT=7.5", "DOWNLOAD_DELAY=0.25", "DNS_TIMEOUT=2.5", "CLOSESPIDER_TIMEOUT=0.5",
        "CONCURRENT_REQUESTS=4", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "RETRY_TIMES=0", "REDIRECT_MAX_TIMES=0",
        "DEPTH_LIMIT=0", "DOWNLOAD_MAXSIZE=0", "AUTOTHROTTLE_TARGET_CONCURRENCY=1.5", "LOGSTATS_INTERVAL=0.5",
        "LOG_LEVEL=DEBUG", "LOG_LEVEL=WARN", "LOG_LEVEL=CRITICAL", "FEED_EXPORT_ENCODING=utf8", "FEED_EXPORT_ENCODING=latin-1",
        "LOG_ENCODING=utf-8", "BS_REDIS_TIMEOUT=0.5", "BS_HEARTBEAT_TIMEOUT=2",
    ],
)
def test_right_settings_pass(setting: str) -> None:
    assert problems_of(setting) == {}


@pytest.mark.parametrize(("option", "words"), [(["-s", "CONCURRENT_REQUESTS=1.5"], "CONCURRENT_REQUESTS"), (["-L", "debug"], "LOG_LEVEL")])
def test_a_scrapy_setting_given_badly_is_one_line_and_exit_2(tmp_path: Path, option: list[str], words: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", *option)
    assert_one_usage_line(done, words)
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and words in str(record["reason"])


# --- Splash settings that cannot work: one line and exit 2 before the run ---------------------------


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        # scrapy-splash joins its endpoint to the URL: without a scheme every render failed over to a
        # plain fetch, one ERROR line per article, and the run ended with exit 9.
        ({"SPLASH_URL": "127.0.0.1:8050"}, "SPLASH_URL"),
        ({"SPLASH_URL": "localhost:8050"}, "SPLASH_URL"),
        ({"SPLASH_URL": "http://"}, "SPLASH_URL"),
        # The renderer refused them when the spider was made: a traceback after Scrapy's banner.
        ({"SPLASH_URL": NOWHERE, "BS_SPLASH_WAIT": "20"}, "BS_SPLASH_WAIT"),
        ({"SPLASH_URL": NOWHERE, "BS_SPLASH_TIMEOUT": "1"}, "BS_SPLASH_WAIT"),
        ({"SPLASH_URL": NOWHERE, "BS_SPLASH_TIMEOUT": "0.5", "BS_SPLASH_WAIT": "0.5"}, "BS_SPLASH_WAIT"),
    ],
)
def test_splash_settings_that_cannot_work_are_a_problem(settings: dict[str, str], words: str) -> None:
    from crawler.splash import splash_problem

    problem = splash_problem(Settings(settings))
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "settings",
    [{}, {"SPLASH_URL": "http://127.0.0.1:8050"}, {"SPLASH_URL": "https://splash.internal/", "BS_SPLASH_WAIT": "0", "BS_SPLASH_TIMEOUT": "2"},
     {"BS_SPLASH_WAIT": "20"}],  # without SPLASH_URL nothing is rendered: nothing to check
)
def test_splash_settings_that_work_pass(settings: dict[str, str]) -> None:
    from crawler.splash import splash_problem

    assert splash_problem(Settings(settings)) is None


@pytest.mark.parametrize(
    ("settings", "words"),
    [(["SPLASH_URL=127.0.0.1:8050"], "SPLASH_URL"), ([f"SPLASH_URL={NOWHERE}", "BS_SPLASH_WAIT=20"], "BS_SPLASH_WAIT")],
)
def test_splash_settings_that_cannot_work_are_one_line_and_exit_2(tmp_path: Path, settings: list[str], words: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", *(a for s in settings for a in ("-s", s)))
    assert_one_usage_line(done, words)
    [record] = history(tmp_path)
    assert record["status"] == EXIT_USAGE and words in str(record["reason"])


# --- scrapy merge: gzipped worker files, and files it cannot read or write -------------------------


def merge(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return scrapy(tmp_path, "merge", *args)


def lines(*ids: str, version: int = 1) -> bytes:
    return b"".join(json.dumps({"articleId": i, "version": version, "dateDownloaded": "2024-03-01T10:00:00+05:30"}).encode() + b"\n" for i in ids)


def test_merge_reads_gzipped_worker_files_and_one_cut_by_a_kill(tmp_path: Path) -> None:
    # FEEDS with Scrapy's GzipPlugin: each worker writes <name>.jsonl.gz. They were not found in a
    # folder, and read directly every line was "unreadable": an empty merge with exit status 0.
    import gzip

    run = tmp_path / "run"
    run.mkdir()
    (run / "w1.jsonl.gz").write_bytes(gzip.compress(lines("124022800001", "124022800002")))
    cut = gzip.compress(lines("124022800003", "124022800004") * 200)
    (run / "w2.jsonl.gz").write_bytes(cut[: len(cut) // 2])  # a worker killed while writing
    (tmp_path / "w3.gz").write_bytes(gzip.compress(lines("124022800005", version=2)))
    done = merge(tmp_path, "merged.jsonl", str(run), str(tmp_path / "w3.gz"))
    assert done.returncode == 0, done.stderr
    merged = [json.loads(line)["articleId"] for line in (tmp_path / "merged.jsonl").read_text().splitlines()]
    assert merged == ["124022800001", "124022800002", "124022800003", "124022800004", "124022800005"]
    assert "in 3 files" in done.stdout and "dropped, 1 unreadable" in done.stdout, done.stdout


@pytest.mark.parametrize("fault", ["output-is-a-folder", "output-under-a-file", "input-dangling-link"])
def test_merge_that_cannot_read_or_write_is_one_line_and_leaves_no_partial(tmp_path: Path, fault: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "w1.jsonl").write_bytes(lines("124022800001"))
    output = tmp_path / "merged.jsonl"
    if fault == "output-is-a-folder":  # `scrapy merge output/ from-machine-1/`
        output = tmp_path / "out"
        output.mkdir()
    elif fault == "output-under-a-file":
        (tmp_path / "a-file").write_text("")
        output = tmp_path / "a-file" / "merged.jsonl"
    else:  # a worker's file moved away: a merge without it would lose its articles quietly
        (tmp_path / "in" / "w2.jsonl").symlink_to(tmp_path / "gone.jsonl")
    done = merge(tmp_path, str(output), str(tmp_path / "in"))
    assert done.returncode == 1, done.stderr
    error = done.stderr.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: cannot "), done.stderr
    assert not list(tmp_path.rglob("*.partial"))
    assert fault != "input-dangling-link" or not output.exists()


# --- deployed to scrapyd: the project runs from a zipped egg ----------------------------------------


def build_egg(tmp_path: Path) -> Path:
    """The egg ``scrapyd-deploy`` builds (``setup.py bdist_egg``), from a copy so the tree stays clean."""
    import shutil

    source = tmp_path / "project"
    source.mkdir()
    shutil.copytree(ROOT / "crawler", source / "crawler", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(tmp_path / "eggs")], cwd=source,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    [egg] = (tmp_path / "eggs").glob("*.egg")
    return egg


def test_spidermon_validates_items_when_the_project_runs_from_scrapyds_egg(tmp_path: Path) -> None:
    # Spidermon was handed the schema's path, which inside the zipped egg scrapyd runs is no file:
    # every run with SPIDERMON_ENABLED failed at start-up with a traceback.
    pytest.importorskip("spidermon")
    pytest.importorskip("scrapyd")
    from tests.loopback.site import LoopbackSite

    egg = build_egg(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    # As scrapyd's runner starts a job: the egg activated, nothing of the tree on the path.
    run = ("import sys; from scrapyd.runner import activate_egg; activate_egg(sys.argv[1]); "
           "import crawler; assert crawler.__file__.startswith(sys.argv[1]), crawler.__file__; "
           "from scrapy.cmdline import execute; execute(['scrapy', *sys.argv[2:]])")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    with LoopbackSite(articles=6, seed=83, legacy=0) as site:
        done = subprocess.run(
            [sys.executable, "-c", run, str(egg), "crawl", "latest", "-O", "out.jsonl", "-s", f"BS_BASE_URL={site.base_url}",
             "-s", "BS_LATEST_SOURCES=/rss/latest.rss", "-s", "SPIDERMON_ENABLED=True", "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=work, env=env, capture_output=True, text=True, timeout=180,
        )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "Every written item matches the JSON Schema... OK" in done.stderr, done.stderr[-3000:]
    assert len((work / "out.jsonl").read_text().splitlines()) == 6


# --- Splash: a page whose declared encoding is not its own -----------------------------------------


def as_the_browser_reads_windows_1252(body: bytes) -> str:
    """``body`` as Splash's WebKit reads bytes declared ISO-8859-1 or Windows-1252, or not declared at
    all: Windows-1252, its five undefined bytes as the C1 controls of the same number."""
    return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in body)


@pytest.mark.parametrize("charset", ["ISO-8859-1", "windows-1252"])
def test_a_rendered_utf8_page_read_by_the_browser_as_windows_1252_is_extracted_as_utf8(charset: str) -> None:
    # The browser believed the header (or, with none, fell back to Windows-1252): every Devanagari
    # letter came back as three wrong ones, and was written as good; a plain fetch reads it right.
    from crawler.extraction import extract
    from crawler.splash import SplashRenderingMiddleware
    from scrapy.utils.misc import build_from_crawler
    from tests.conftest import PAGES
    from tests.test_splash import SPLASH, make_crawler, make_spider, splash_answer, to_splash

    folder = PAGES / "hindi-2020" / "budget-166607"
    url = json.loads((folder / "meta.json").read_text())["url"]
    expected = json.loads((folder / "expected.json").read_text())
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(url))
    html = as_the_browser_reads_windows_1252((folder / "page.html").read_bytes())
    answer = splash_answer(crawler, spider, processed, 200, {"html": html, "url": url, "http_status": 200, "ticker": "absent", "cookies": [], "charset": charset})
    response = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    content_type = response.headers.get("Content-Type")
    extraction = extract(response.body, response.url, content_type.decode("latin-1") if content_type else None)
    article = extraction.article
    assert (article.headline, article.articleBody, article.description) == (expected["headline"], expected["articleBody"], expected["description"])
    assert extraction.encoding_note is not None  # one WARNING line and bs/recovered/encoding, as for a plain fetch


def test_a_rendered_utf8_page_is_still_read_as_utf8() -> None:
    from crawler.splash import page_bytes

    for charset in ("UTF-8", "utf-8", None, "", "no-such-charset"):
        assert page_bytes("“₹5” नमस्ते", charset) == ("“₹5” नमस्ते".encode(), "text/html; charset=utf-8")
    # Text a script wrote that the page's own encoding cannot hold stays readable as a reference.
    assert page_bytes("café ₹", "windows-1252") == ("café ₹".encode("cp1252", errors="xmlcharrefreplace"), "text/html; charset=windows-1252")


@pytest.fixture
def mislabelled_site() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """A site serving one UTF-8 article page (with non-ASCII text) under ``charset=iso-8859-1``:
    its base URL, the article's URL, and the item expected of it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    from tests.conftest import PAGES

    folder = PAGES / "nextjs-2023" / "staff-multi-author"
    original = json.loads((folder / "meta.json").read_text())["url"]
    page = (folder / "page.html").read_bytes().replace(b"festive", "festive’s ₹".encode())
    expected = json.loads((folder / "expected.json").read_text())
    path = urlsplit(original).path

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == path
            body = page if found else b"not here"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=iso-8859-1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield base, base + path, {k: v.replace("festive", "festive’s ₹") if isinstance(v, str) else v for k, v in expected.items()}
    finally:
        server.shutdown()
        server.server_close()


def test_splash_renders_a_mislabelled_utf8_page_into_the_plain_fetchs_item(
    tmp_path: Path, splash_url: str, mislabelled_site: tuple[str, str, dict[str, Any]]
) -> None:
    base, url, expected = mislabelled_site
    items = {}
    for mode, settings in {"splash": ["-s", f"SPLASH_URL={splash_url}", "-s", "BS_SPLASH_WAIT=0.2"], "plain": []}.items():
        out = tmp_path / f"{mode}.jsonl"
        done = scrapy(tmp_path, "crawl", "article", "-a", f"url={url}", "-O", str(out), "-s", f"BS_BASE_URL={base}", *settings, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        [items[mode]] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert "bs/splash/rendered': 1" in done.stderr or mode == "plain", done.stderr[-3000:]
    for field in ("headline", "description", "articleBody"):
        assert items["splash"][field] == items["plain"][field] == expected[field], field


# --- Redis: a worker killed between claiming an article and confirming it --------------------------


def test_a_claim_of_a_run_that_is_gone_is_taken_over_at_once(redis_url: str, prefix: str) -> None:  # noqa: F811
    import redis

    from crawler.distributed.store import RedisSeenStore
    from crawler.incremental.store import Claim, PendingArticle
    from crawler.distributed import connect

    def store(scope: str) -> RedisSeenStore:
        return RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, scope)

    killed, running, later = store("latest:w1"), store("latest:w2"), store("latest:w3")
    article = "124022800873"
    assert killed.claim(PendingArticle(article, 0, "h1", None, None, "latest:a"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
    # While the run that claimed it goes on, it holds.
    assert running.claim(PendingArticle(article, 0, "h1", None, None, "latest:b"), fresh=False, is_live=lambda run: True) == Claim("taken", 0)
    # Killed: its mark lapses (ALIVE_SECONDS after its last beat) and the next run emits the article,
    # instead of dropping it for CLAIM_SECONDS (an hour, by which `latest` no longer lists it).
    redis.Redis.from_url(redis_url).delete(f"{prefix}:alive:latest:a")
    assert running.claim(PendingArticle(article, 0, "h1", None, None, "latest:b"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
    # A run that ended (its store closed after its confirmations) holds nothing either.
    running.close()
    assert later.claim(PendingArticle(article, 0, "h1", None, None, "latest:c"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
    for each in (killed, later):
        each.close()


def test_an_article_a_killed_worker_claimed_is_emitted_by_the_next_run(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    import redis

    from tests.e2e import crawl
    from tests.loopback.site import LoopbackSite

    client = redis.Redis.from_url(redis_url)
    with LoopbackSite(articles=6, seed=83, legacy=0) as site:
        ids = sorted(a.article_id for a in site.articles)
        killed, busy = ids[0], ids[1]
        # A worker killed after claiming `killed` (its run is no longer alive), and one still emitting `busy`.
        client.set(f"{prefix}:claim:{killed}", "latest:gone", ex=3600)
        client.hset(f"{prefix}:pending:latest:w0", f"latest:gone:{killed}", json.dumps({"version": 1, "content_hash": "x"}))
        client.set(f"{prefix}:claim:{busy}", "latest:going", ex=3600)
        client.set(f"{prefix}:alive:latest:going", 1, ex=300)
        result = crawl(
            "latest", tmp_path,
            settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "REDIS_URL": redis_url,
                      "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"},
            timeout=180,
        )
    assert result.status == 0, result.log[-3000:]
    assert sorted(result.ids()) == [i for i in ids if i != busy], result.log[-3000:]
    assert "'bs/state/claimed_elsewhere': 1" in result.log
    assert not list(client.scan_iter(match=f"{prefix}:alive:latest:[0-9a-f]*"))


def test_a_run_key_of_the_wrong_type_is_one_line_naming_the_cure_not_a_lost_redis(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    # The queue left as a list (a run with scrapy-redis's FifoQueue): every restart fails the same
    # way, so "a restart continues the run" was wrong advice.
    import redis

    from tests.e2e import crawl

    redis.Redis.from_url(redis_url).rpush(f"{prefix}:run:latest:requests", b"{}")
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": NOWHERE, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix,
                                                 "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"}, timeout=120)
    assert result.status == 8, result.log[-3000:]
    [line] = [line for line in result.log.splitlines() if " ERROR: " in line and "crawler.distributed" in line]
    assert "WRONGTYPE" in line and f"scrapy redisclear latest --prefix {prefix}" in line and "restart continues" not in line
    assert "Traceback" not in result.log
    # The cure it names works.
    cleared = scrapy(tmp_path, "redisclear", "latest", "--prefix", prefix, "-s", f"REDIS_URL={redis_url}")
    assert cleared.returncode == 0, cleared.stderr
    assert not redis.Redis.from_url(redis_url).exists(f"{prefix}:run:latest:requests")


def test_merge_into_a_merged_file_named_as_an_input_keeps_what_it_held(tmp_path: Path) -> None:
    # `scrapy merge all.jsonl all.jsonl new/`: the named output was dropped from the inputs, so the
    # merged file was replaced by the new files alone and every article it held was lost.
    (tmp_path / "all.jsonl").write_bytes(lines("124022800001", "124022800002"))
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "w1.jsonl").write_bytes(lines("124022800002", "124022800003", version=2))
    done = merge(tmp_path, "all.jsonl", "all.jsonl", "new")
    assert done.returncode == 0, done.stderr
    merged = {json.loads(line)["articleId"]: json.loads(line)["version"] for line in (tmp_path / "all.jsonl").read_text().splitlines()}
    assert merged == {"124022800001": 1, "124022800002": 2, "124022800003": 2}
    # Found in a folder it is the destination, not an input (a merge into output/ of output/).
    (tmp_path / "new" / "merged.jsonl").write_bytes(lines("124022800009"))
    done = merge(tmp_path, str(tmp_path / "new" / "merged.jsonl"), "new")
    assert done.returncode == 0, done.stderr
    assert "124022800009" not in (tmp_path / "new" / "merged.jsonl").read_text()


# --- the service scripts stop what they started, by its PID, and nothing else ----------------------


def test_scrapyds_stop_script_leaves_a_process_that_took_over_a_stale_pid_alone(tmp_path: Path) -> None:
    # A scrapyd that died leaves its pidfile behind; its PID may be another process's by now.
    other = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "scrapyd.pid").write_text(f"{other.pid}\n")
        stopped = subprocess.run(["bash", str(ROOT / "tests" / "services" / "scrapyd" / "stop.sh"), str(tmp_path)], capture_output=True, text=True, timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        assert other.poll() is None, "stop.sh killed a process that is no scrapyd"
        assert not (tmp_path / "scrapyd.pid").exists()
    finally:
        other.kill()
        other.wait()


STALE_CASES = [
    ("2024-11-25T10:00:00+05:30", "2024-11-25T09:00:00+05:30", "stale"),
    ("2024-11-25T10:00:37+05:30", "2024-11-25T10:00:00+05:30", "updated"),  # the same minute, read from another source
    ("2999-01-01T10:00:00+05:30", "2024-11-25T11:00:00+05:30", "updated"),  # a wrong date ahead never holds updates back
    ("2024-11-25T10:00:00+05:30", None, "updated"),
]


@pytest.mark.parametrize(("emitted", "page", "outcome"), STALE_CASES)
def test_the_redis_store_tells_an_older_copy_of_an_emitted_article_as_the_sqlite_one_does(
    redis_url: str, prefix: str, emitted: str, page: str | None, outcome: str  # noqa: F811
) -> None:
    from crawler.distributed import connect
    from crawler.distributed.store import RedisSeenStore
    from crawler.incremental.store import PendingArticle

    store = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "latest:w1")
    try:
        store.add_pending(PendingArticle("124112500005", 2, "hash-2", emitted, None, "latest:a"))
        store.confirm("124112500005", "latest:a")
        claim = store.claim(PendingArticle("124112500005", 0, "hash-3", page, None, "latest:b"), fresh=False, is_live=lambda run: False)
        assert claim.outcome == outcome
        if outcome == "stale":
            assert (claim.version, claim.date_modified) == (2, emitted)
            # Nothing was claimed; with -a fresh=1 the page is emitted as it is.
            fresh = store.claim(PendingArticle("124112500005", 0, "hash-3", page, None, "latest:c"), fresh=True, is_live=lambda run: False)
            assert fresh.outcome == "updated"
    finally:
        store.close()
