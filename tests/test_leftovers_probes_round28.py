"""Round 28 leftovers: a byline's city after a spaced slash, an agency's city in structured data's author, new and updated counted as delivered."""

from __future__ import annotations

import errno
import json
import re
import signal
import subprocess
from pathlib import Path

import pytest

from crawler.extraction import Extraction, extract
from crawler.monitoring.history import KILLED, RunHistory
from crawler.monitoring.verdict import EXIT_OK, EXIT_OUTPUT
from tests.e2e import scrapy
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import _wait_for, command, env, run
from tests.test_extraction_probes_round21 import AMP, AMP_BYLINE, NEXT, SPAN, _amp, _fixture, _names, _next_js, _once, _with_data, _with_ld
from tests.test_hindi_probes_round28 import _amp as _hindi_amp
from tests.test_hindi_probes_round28 import _desktop as _hindi_desktop

# --- a byline's city after a spaced slash, in every layout -------------------------------------------

SLASHED = [
    ("Reuters / New Delhi", ["Reuters"], "New Delhi"),
    ("PTI / Mumbai", ["PTI"], "Mumbai"),
    ("Press Trust of India / New Delhi", ["Press Trust of India"], "New Delhi"),
    ("Shine Jacob / Chennai", ["Shine Jacob"], "Chennai"),
    ("Reuters / Kozhikode", ["Reuters"], "Kozhikode"),
    ("पीटीआई / नई दिल्ली", ["पीटीआई"], "नई दिल्ली"),
    ("भाषा / मुंबई", ["भाषा"], "मुंबई"),
]


@pytest.mark.parametrize("form", ["byline-div", "site-span"])
@pytest.mark.parametrize(("byline", "authors", "city"), SLASHED)
def test_an_amp_byline_s_city_after_a_slash_is_the_dateline(byline: str, authors: list[str], city: str, form: str) -> None:
    # Before: no dateline, and one author "Reuters / New Delhi" (the bar's form alone was read).
    shown = f'<div class="byline">{byline}</div>' if form == "byline-div" else SPAN.format(f"<span>{byline}</span>")
    article = _amp(shown)
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), SLASHED)
def test_a_next_js_byline_s_city_after_a_slash_is_the_dateline(byline: str, authors: list[str], city: str) -> None:
    article = _next_js(SPAN.format(f"<span>{byline}</span>"))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), [case for case in SLASHED if not case[0].isascii()])
def test_a_hindi_byline_s_city_after_a_slash_is_the_dateline_on_both_pages(byline: str, authors: list[str], city: str) -> None:
    assert _hindi_amp(byline) == (authors, city)
    assert _hindi_desktop(byline) == (authors, city)


@pytest.mark.parametrize("field", ["authorName", "sourceTitle"])
@pytest.mark.parametrize("byline", ["Reuters / New Delhi", "पीटीआई / नई दिल्ली"])
def test_the_article_json_s_byline_ending_in_a_city_after_a_slash_names_no_city_author(field: str, byline: str) -> None:
    # Before: one author "Reuters / New Delhi" (the bar's form alone was read).
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "authorName"):
            data.pop(key, None)
        data[field] = byline

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    assert _names(article) == [byline.split(" / ")[0]]


@pytest.mark.parametrize("layout", ["amp", "nextjs"])
def test_two_reporters_either_side_of_a_slash_set_no_city(layout: str) -> None:
    # (Neither is a place the site dates from, nor follows an agency's name.)
    shown = "Shine Jacob / Sohini Das"
    article = _amp(f'<div class="byline">{shown}</div>') if layout == "amp" else _next_js(SPAN.format(f"<span>{shown}</span>"))
    assert article.dateline is None and "Sohini Das" in " ".join(_names(article))


# --- an agency's city in structured data's author ------------------------------------------------------


def _amp_with(byline: str, ld_author: str) -> Extraction:
    html, url, _ = _fixture(AMP)
    html = _once(html, AMP_BYLINE, f'<div class="byline">{byline}</div>')
    return extract(_with_ld(html, lambda a: a.__setitem__("author", {"@type": "Person", "name": ld_author})).encode(), url)


@pytest.mark.parametrize(
    ("byline", "ld_author", "authors", "city"),
    [
        ("PTI | New Delhi", "New Delhi, PTI", ["PTI"], "New Delhi"),
        ("PTI | New Delhi", "PTI, New Delhi", ["PTI"], "New Delhi"),
        ("PTI / Mumbai", "Mumbai, PTI", ["PTI"], "Mumbai"),
        ("Reuters / New Delhi", "Reuters / New Delhi", ["Reuters"], "New Delhi"),
        ("पीटीआई / नई दिल्ली", "नई दिल्ली, पीटीआई", ["पीटीआई"], "नई दिल्ली"),
        ("पीटीआई | मुंबई", "मुंबई, पीटीआई", ["पीटीआई"], "मुंबई"),
    ],
)
def test_json_ld_s_author_holding_an_agency_s_city_names_the_agency_alone(byline: str, ld_author: str, authors: list[str], city: str) -> None:
    # Before: authors ["New Delhi", "PTI"] (JSON-LD's, read first), and the byline's ["PTI"] counted
    # as a disagreement of the sources (article/disagree/authors) where both say the same.
    extraction = _amp_with(byline, ld_author)
    assert (_names(extraction.article), extraction.article.dateline) == (authors, city)
    assert "authors" not in extraction.provenance.disagreements


@pytest.mark.parametrize("ld_author", ["Shine Jacob, Sohini Das", "PTI Singh"])
def test_json_ld_s_authors_without_an_agency_s_city_read_as_before(ld_author: str) -> None:
    names = _names(_amp_with("Shine Jacob", ld_author).article)
    assert names == {"Shine Jacob, Sohini Das": ["Shine Jacob", "Sohini Das"], "PTI Singh": ["PTI Singh"]}[ld_author]


# --- new and updated: what reached the reader -----------------------------------------------------------

PORTS = range(17150, 17170)


def _site(articles: int, **kwargs: float) -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=articles, seed=16, port=port, **kwargs)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


def _ids(path: Path) -> list[str]:
    ids = []
    for line in path.read_bytes().splitlines() if path.exists() else []:
        try:
            ids.append(json.loads(line)["articleId"])
        except ValueError:
            pass  # a line a kill cut
    return ids


def _summary(stderr: str) -> str:
    return next(line for line in reversed(stderr.splitlines()) if "Run summary: " in line)


def test_an_article_a_feed_failed_on_is_not_new_until_a_run_delivers_it(tmp_path: Path) -> None:
    # Before: `new=1 emitted=0` (new counted as the seen-store claimed it, before any feed had it) in the
    # summary line, the run history and `scrapy runs`, and the article new again in the next run, which
    # wrote it: counted twice across runs.
    state = tmp_path / "state"
    with _site(3) as site:
        failed = run(tmp_path, command(site, Path("/dev/full:jsonlines"), state, "-s", "BS_LATEST_SOURCES=/rss/latest.rss"))
        then = run(tmp_path, command(site, tmp_path / "out.jsonl", state, "-s", "BS_LATEST_SOURCES=/rss/latest.rss"))
    assert failed.returncode == EXIT_OUTPUT and then.returncode == EXIT_OK, (failed.stderr[-2000:], then.stderr[-2000:])
    first, second = RunHistory(state).records()[-2:]
    assert first["counts"]["emitted"] == first["counts"]["new"] == 0, first["counts"]
    assert " new=0 updated=0 " in _summary(failed.stderr) and " emitted=0 " in _summary(failed.stderr), _summary(failed.stderr)
    written = _ids(tmp_path / "out.jsonl")
    assert len(written) == 3 and second["counts"]["new"] == second["counts"]["emitted"] == 3, second["counts"]
    assert " new=3 updated=0 unchanged=0 emitted=3 " in _summary(then.stderr), _summary(then.stderr)
    table = scrapy(tmp_path, "runs", "-s", f"BS_STATE_DIR={state}").stdout.splitlines()
    # (new, upd and emitted after the run's time, "0m00s")
    assert [re.search(r"\d+m\d\ds\s+(\S+)\s+(\S+)\s+(\S+)", line).groups() for line in table[1:3]] == [("3", "0", "3"), ("0", "0", "0")], table  # type: ignore[union-attr]


def test_a_killed_runs_new_is_what_it_delivered_as_its_emitted_is(tmp_path: Path) -> None:
    # Before: a killed run's record kept its last checkpoint's new and updated (none in a run shorter
    # than BS_RUN_HISTORY_CHECKPOINT: new=0) beside an emitted tallied to the kill: "new 0, emitted 7".
    with _site(30, slow_seconds=30) as site:
        articles = [r.article_id for r in site.articles]
        for article_id in articles[: len(articles) // 2]:
            site.set_fault(article_id, "slow")  # still in flight when the run is killed
        state, first, log = tmp_path / "state", tmp_path / "run1.jsonl", tmp_path / "run1.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(command(site, first, state), cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: len(_ids(first)) >= 5, process, "5 articles written")
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        for article_id in articles:
            site.set_fault(article_id, None)
        then = run(tmp_path, command(site, tmp_path / "run2.jsonl", state))
    assert then.returncode == EXIT_OK, then.stderr[-3000:]
    killed, after = RunHistory(state).records()[-2:]
    assert killed["status_words"] == KILLED, killed
    # (Every article is new in a first run: what the killed run delivered, it delivered new. The kill may
    # fall between an article's line written and its delivery: the last one written may be in flight.)
    assert killed["counts"]["emitted"] >= 4 and killed["counts"]["new"] == killed["counts"]["emitted"], killed["counts"]
    assert killed["counts"]["updated"] == 0, killed["counts"]
    assert after["counts"]["new"] == after["counts"]["emitted"], after["counts"]
    assert killed["counts"]["new"] + after["counts"]["new"] + after["counts"]["recovered"] == len(articles), (killed["counts"], after["counts"])
