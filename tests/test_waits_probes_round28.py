"""Round 28 probes of the waits a host asks for: one host's long Retry-After in a run of two hosts, the kept waits of
every host, and two runs keeping theirs at once."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.incremental.sitewait import SITE_WAIT_FILE, SITE_WAIT_LOCK, note_site_wait
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.hindi import DESKTOP, Answer
from tests.loopback.site import LoopbackSite

HINDI_FEED = f"https://{DESKTOP}/rss/latest.rss"
PORTS = range(16500, 16520)


def _site() -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=6, seed=28, days=2, legacy=0, port=port)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


@pytest.fixture()
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackSite]:
    # The Hindi edition's host is the loopback site too, reached as the crawler's proxy (https through a CONNECT
    # tunnel it answers itself): nothing leaves the machine.
    with _site() as running:
        for name in ("http_proxy", "https_proxy"):
            monkeypatch.setenv(name, running.base_url)
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        yield running
        assert running.errors == []


def _hindi_story_keys(site: LoopbackSite) -> list[str]:
    return [f"{DESKTOP}//storypage.php?autono={n}" for n in site.hindi.stories] + [f"{DESKTOP}/storypage.php?autono={n}" for n in site.hindi.stories]


def _hindi_asks(site: LoopbackSite, retry_after: str) -> None:
    """The Hindi edition answers every story page 429 with ``retry_after``; its feed and robots.txt answer."""
    for key in _hindi_story_keys(site):
        site.hindi.changed[key] = lambda _normal: Answer(429, b"slow down", "text/plain", (("Retry-After", retry_after),))


def _hindi_story_asks(site: LoopbackSite) -> int:
    return sum(n for key, n in site.hindi.counts.items() if "storypage" in key)


# --- one host's long Retry-After in a run of two hosts ----------------------------------------------------
# The Hindi edition answered 429 with Retry-After: 3600: the whole run closed (exit 4), the English edition's
# articles not yet fetched waited for the next run, and that run, reading only BS_BASE_URL's kept wait, asked the
# Hindi edition again at once (its stories, the same 429), closing again.


def test_one_hosts_long_retry_after_defers_that_host_alone_and_the_next_runs_keep_it(site: LoopbackSite, tmp_path: Path) -> None:
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"/rss/latest.rss,{HINDI_FEED}"}
    english = sorted(record.article_id for record in site.articles)
    hindi = sorted(f"hi-{n}" for n in site.hindi.stories)
    _hindi_asks(site, "3600")
    first = crawl("latest", tmp_path, settings=settings)
    assert first.status == EXIT_OK, first.log[-3000:]
    assert sorted(first.ids()) == english, first.log[-3000:]  # every English story, none of the Hindi ones
    assert "Retry-After asks for 3600 s, more than BS_RETRY_AFTER_MAX (120 s)" in first.log
    summary = [line for line in first.log.splitlines() if "Run summary:" in line]
    assert len(summary) == 1 and f"deferred={DESKTOP}" in summary[0], summary
    stats = stats_from_log(first.log)
    assert stats.get(stat.RATE_LIMITED_DEFERRED) == 1 and not stats.get(stat.RATE_LIMITED_GAVE_UP), stats
    # The Hindi stories asked after the first 429: none but those already on their way.
    asked_first = _hindi_story_asks(site)
    assert 1 <= asked_first <= len(site.hindi.stories), site.hindi.counts
    assert " ERROR: " not in first.log.split("Run summary:")[0].split("Retry-After asks for")[1], first.log[-3000:]
    kept = json.loads((tmp_path / ".state" / SITE_WAIT_FILE).read_text(encoding="utf-8"))
    assert set(kept) == {DESKTOP}, kept

    # The next cron run, within the hour: the Hindi edition is asked nothing, the English one is crawled.
    site.hindi.reset()
    site.reset_counts()
    new = site.add_articles(2)
    second = crawl("latest", tmp_path, settings=settings)
    assert second.status == EXIT_OK, second.log[-3000:]
    assert sum(site.hindi.counts.values()) == 0, site.hindi.counts
    assert sorted(second.ids()) == sorted(record.article_id for record in new), second.log[-3000:]
    assert f"deferred={DESKTOP}" in second.log.split("Run summary:")[1]
    assert f"Not asking {DESKTOP} anything before " in second.log

    # The hour over: the Hindi stories the first runs deferred are fetched, once each.
    kept = json.loads((tmp_path / ".state" / SITE_WAIT_FILE).read_text(encoding="utf-8"))
    kept[DESKTOP]["until"] = time.time() - 1
    (tmp_path / ".state" / SITE_WAIT_FILE).write_text(json.dumps(kept), encoding="utf-8")
    last = crawl("latest", tmp_path, settings=settings)
    assert last.status == EXIT_OK, last.log[-3000:]
    assert sorted(last.ids()) == hindi, last.log[-3000:]
    assert "deferred=" not in last.log.split("Run summary:")[1]


def test_a_hosts_429_that_does_not_lift_defers_it_and_the_site_goes_on(site: LoopbackSite, tmp_path: Path) -> None:
    # Retry-After: 1, every time: past BS_RATE_LIMIT_RETRIES waits, the Hindi edition is left for the next run.
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"/rss/latest.rss,{HINDI_FEED}", "BS_RATE_LIMIT_RETRIES": "1"}
    _hindi_asks(site, "1")
    first = crawl("latest", tmp_path, settings=settings)
    assert first.status == EXIT_OK, first.log[-3000:]
    assert sorted(first.ids()) == sorted(record.article_id for record in site.articles), first.log[-3000:]
    assert f"deferred={DESKTOP}" in first.log.split("Run summary:")[1]
    # No Retry-After longer than a run waits: nothing kept, the next run asks it again.
    assert not (tmp_path / ".state" / SITE_WAIT_FILE).exists()


def test_the_sites_own_long_retry_after_still_closes_the_run(site: LoopbackSite, tmp_path: Path) -> None:
    """The site itself (BS_BASE_URL's host) asking is the run's end, as before: every source is its own."""
    site.set_storm(429, "3600")
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    assert result.status == EXIT_BLOCKED and not result.items, result.log[-3000:]
    assert "deferred=" not in result.log.split("Run summary:")[1]


# --- two runs keeping their waits at once ------------------------------------------------------------------
# `latest` and `section` share a state dir and run at once (each has a lock of its own): each read site-wait.json,
# added its host and replaced the file, so one host's wait was lost and the next run asked it again.


def _keep(state: str, host: str, start: float, rounds: int) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", state)
    while time.time() < start:
        time.sleep(0.001)
    for n in range(rounds):
        note_site_wait(settings, f"https://{n}.{host}/page", 3600)


def test_two_runs_keeping_waits_at_once_keep_both(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    start = time.time() + 2
    hosts = [f"host{n}.example" for n in range(4)]
    workers = [context.Process(target=_keep, args=(str(tmp_path / ".state"), host, start, 100)) for host in hosts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    kept = json.loads((tmp_path / ".state" / SITE_WAIT_FILE).read_text(encoding="utf-8"))
    # Each run's every wait is kept (before: of 400, a few hundred, the others replaced by a run that had not read them).
    assert sorted(kept) == sorted(f"{n}.{host}" for host in hosts for n in range(100)), len(kept)


# --- Splash's own 429 ------------------------------------------------------------------------------------
# Splash answering 429 (its render queue full, on its own port) was judged in the site's download slot (the
# render's slot is the page's host): a Retry-After of Splash's closed the run as the site's rate limit (exit 4)
# and kept a wait that refused the next runs; a short one held the site's requests that long apart.


class BusySplash:
    """A Splash (or the proxy before it) that answers every render 429 with ``retry_after``."""

    def __init__(self, retry_after: str) -> None:
        self.retry_after = retry_after
        self.asked = 0
        busy = self

        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                busy.asked += 1
                body = b"429 Too Many Requests: the render queue is full"
                self.send_response(429)
                self.send_header("Retry-After", busy.retry_after)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        for port in range(16520, 16550):
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Answer)
                break
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
        else:
            raise RuntimeError("no free port in 16520-16549")
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self) -> BusySplash:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("retry_after", ["3600", "5"])
def test_a_busy_splashs_429_is_no_wait_of_the_sites(site: LoopbackSite, tmp_path: Path, retry_after: str) -> None:
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"}
    with BusySplash(retry_after) as splash:
        result = crawl("latest", tmp_path, settings={**settings, "SPLASH_URL": splash.url}, timeout=240)
    # Every article fetched plainly once Splash's answer is read, as for any failed render.
    assert sorted(result.ids()) == sorted(record.article_id for record in site.articles), result.log[-3000:]
    assert splash.asked >= 1
    assert "Closing the run: rate limited" not in result.log and "Rate limited (429) at" not in result.log, result.log[-3000:]
    assert not (tmp_path / ".state" / SITE_WAIT_FILE).exists()
    assert not stats_from_log(result.log).get(stat.RATE_LIMITED)
    # The next run is not refused for the site.
    again = crawl("latest", tmp_path, settings=settings)
    assert again.status == EXIT_OK, again.log[-3000:]


# --- a 429 storm on one host, and the others ----------------------------------------------------------------
# The requests waiting for a host that asked to wait counted against CONCURRENT_REQUESTS: with the site's
# articles waiting out its Retry-After, the Hindi edition's stories, found meanwhile, waited for the end of the
# site's wait (up to BS_RETRY_AFTER_MAX, 120 s), though nothing was on its way to their host.

STORM_ANSWERS = 3


def test_a_storm_on_the_site_does_not_hold_another_hosts_requests(site: LoopbackSite, tmp_path: Path) -> None:
    storm_when: dict[str, list[int]] = {"feed": [], "stories": []}

    def note(normal: Answer) -> Answer:
        storm_when["stories"].append(site.storm_answers)
        return normal

    def later(normal: Answer) -> Answer:
        time.sleep(1)  # read once the site's stories wait for the site's Retry-After
        storm_when["feed"].append(site.storm_answers)
        return normal

    for key in _hindi_story_keys(site):
        site.hindi.changed[key] = note
    site.hindi.changed[f"{DESKTOP}/rss/latest.rss"] = later
    site.add_articles(10)
    # A wait long beside the time a story takes: the site's storm is where it was while the Hindi stories are asked.
    site.set_storm(429, "10", answers=STORM_ANSWERS)
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"/rss/latest.rss,{HINDI_FEED}", "CONCURRENT_REQUESTS": "3"}
    result = crawl("latest", tmp_path, settings=settings)
    assert result.status == EXIT_OK, result.log[-3000:]
    ids = result.ids()
    assert len(ids) == len(set(ids)) == len(site.articles) + len(site.hindi.stories), result.log[-3000:]
    assert site.storm_answers == STORM_ANSWERS
    # Each Hindi story asked before the site's wait it was found in was over (before: after it, the site's 429s on).
    [found] = storm_when["feed"]
    assert found < STORM_ANSWERS and storm_when["stories"] == [found] * len(site.hindi.stories), storm_when


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to write as another user")
def test_a_wait_is_kept_beside_a_lock_file_another_user_made() -> None:
    # A first run by hand as root made the lock; the cron user's run still keeps its host's wait beside the root's.
    # (Not under tmp_path: pytest's folders above it are root's alone.)
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / ".state"
        state.mkdir()
        os.chmod(folder, 0o755)
        os.chmod(state, 0o777)
        _keep_as_root_then_as_another(state)


def _keep_as_root_then_as_another(state: Path) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(state))
    note_site_wait(settings, "https://hindi.business-standard.com/", 3600)
    assert (state / SITE_WAIT_LOCK).stat().st_uid == 0
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's own exit status says)
        try:
            os.setgid(65534)
            os.setuid(65534)
            note_site_wait(settings, "https://www.business-standard.com/", 3600)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    kept = json.loads((state / SITE_WAIT_FILE).read_text(encoding="utf-8"))
    assert sorted(kept) == ["hindi.business-standard.com", "www.business-standard.com"], kept
