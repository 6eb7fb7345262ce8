"""The README's commands as a user pastes them: every project command checks ``-s`` and ``-a`` as ``scrapy crawl`` does.

``scrapy crawl`` refuses a wrong ``-s`` value or ``-a`` argument in one ``error:`` line, exit 2. The other
commands of the project (``runs``, ``report``, ``redisclear``, ``merge``, ``parse``, ``check``) read the same
settings, and ``parse`` and ``check`` make the same spiders: there such a mistake was a traceback (exit 1), a
logged traceback and an empty result, or "Ran 0 contracts … OK" with exit 1 and not a word of why.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from scrapy.commands import check as scrapy_check

from tests.e2e import history, scrapy

# A URL the default BS_BASE_URL's site does not have: refused before anything is fetched (nothing listens there).
OFF_SITE = "http://127.0.0.1:9/markets/news/some-story-124112500058_1.html"


def assert_one_line_refusal(done: object, *needles: str) -> None:
    stderr = done.stderr  # type: ignore[attr-defined]
    assert done.returncode == 2, stderr[-2000:]  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr[-2000:]
    for needle in needles:
        assert needle in stderr, stderr[-2000:]


def merge_input(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"articleId": "124112500058", "version": 1}) + "\n", encoding="utf-8")
    return path


# Values `scrapy crawl` refuses with exit 2 (README, exit status 2), given to each other command.
BAD_VALUES = [
    ("LOG_LEVEL=debug", "is not a log level"),
    ("BS_MIN_FIELD_COVERAGE=abc", "is not a JSON object"),
    ("BS_HEARTBEAT_TIMEOUT=0", "must be above 0"),
    ("RETRY_HTTP_CODES=500,abc", "is not a list of whole numbers"),
]


def commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "runs": ["runs"],
        "report": ["report", "-o", str(tmp_path / "report.html")],
        "redisclear": ["redisclear", "some-run"],
        "merge": ["merge", str(tmp_path / "out.jsonl"), str(merge_input(tmp_path))],
        "parse": ["parse", OFF_SITE],
        "check": ["check", "latest"],
    }


@pytest.mark.parametrize("command", ["runs", "report", "redisclear", "merge", "parse", "check"])
@pytest.mark.parametrize(("setting", "says"), BAD_VALUES)
def test_a_setting_value_crawl_refuses_is_refused_by_every_command(tmp_path: Path, command: str, setting: str, says: str) -> None:
    done = scrapy(tmp_path, *commands(tmp_path)[command], "-s", setting)
    assert_one_line_refusal(done, says)
    assert not (tmp_path / "report.html").exists() and not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("command", ["runs", "merge", "parse"])
def test_a_log_level_logging_does_not_know_given_with_L_is_refused(tmp_path: Path, command: str) -> None:
    done = scrapy(tmp_path, *commands(tmp_path)[command], "-L", "debug")
    assert_one_line_refusal(done, "is not a log level")


@pytest.mark.parametrize("command", ["merge", "parse", "check"])
def test_a_bs_setting_name_no_setting_has_is_refused_by_every_command(tmp_path: Path, command: str) -> None:
    done = scrapy(tmp_path, *commands(tmp_path)[command], "-s", "BS_MAX_BLOCK_SHARE=0.3")
    assert_one_line_refusal(done, "did you mean BS_MAX_BLOCKED_SHARE?")


def test_report_still_writes_with_good_settings(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    done = scrapy(tmp_path, "report", "-o", "report.html", "-s", 'BS_MIN_FIELD_COVERAGE={"headline": 0.9}')
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "report.html").is_file()


@pytest.mark.parametrize(
    "setting",
    ['ITEM_PIPELINES={"no_such_module.Pipeline": 300}', 'EXTENSIONS={"no_such_module.Extension": 0}', 'FEED_EXPORTERS={"x": "no_such_module.Exporter"}'],
)
def test_the_error_line_quotes_a_component_dict_as_it_was_typed(tmp_path: Path, setting: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", setting, "-O", "out.jsonl")
    value = setting.split("=", 1)[1]
    assert_one_line_refusal(done, value, "no_such_module")
    assert "BaseSettings object" not in done.stderr


def test_parse_of_a_url_off_the_site_is_one_error_line(tmp_path: Path) -> None:
    # README: `scrapy parse <article URL>` … add -s BS_BASE_URL=… for the loopback site. Without it:
    done = scrapy(tmp_path, "parse", OFF_SITE)
    assert_one_line_refusal(done, "error: article:", "is not on BS_BASE_URL's site")
    assert "Scraped Items" not in done.stdout


def test_parse_of_what_is_no_url_is_one_error_line(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "parse", "file:///no/such/page.html")
    assert_one_line_refusal(done, "error: article:")


# Scrapy's check takes -a arguments since 2.14; 2.13 checks every spider without any.
CHECK_TAKES_ARGUMENTS = "spargs" in inspect.getsource(scrapy_check)
needs_check_arguments = pytest.mark.skipif(not CHECK_TAKES_ARGUMENTS, reason="this Scrapy's check takes no -a arguments")


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["article"], "give -a url=URL"),
        pytest.param(["article", "-a", f"url={OFF_SITE}"], "is not on BS_BASE_URL's site", marks=needs_check_arguments),
        (["section"], "give -a sections="),
        pytest.param(["archive", "-a", "since=2024-02-30"], "is not a date", marks=needs_check_arguments),
        pytest.param(["latest", "-a", "fresh=maybe"], "must be 1 or 0", marks=needs_check_arguments),
    ],
)
def test_check_of_a_spider_that_refuses_its_arguments_says_why(tmp_path: Path, arguments: list[str], says: str) -> None:
    done = scrapy(tmp_path, "check", *arguments)
    assert_one_line_refusal(done, "error: ", says)
    assert "Ran 0 contracts" not in done.stderr


def test_check_of_every_spider_runs_those_that_need_no_arguments_and_names_the_others(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "check")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for spider in ("article", "archive", "section"):
        assert f"not checked: {spider}:" in done.stderr
    # reextract has no contracts: nothing of it is left unchecked.
    assert "not checked: reextract" not in done.stderr
    assert "Ran 6 contracts" in done.stderr and "\nOK" in done.stderr


@needs_check_arguments
def test_check_of_a_spider_given_its_arguments_runs_its_contracts(tmp_path: Path) -> None:
    url = "https://www.business-standard.com/markets/news/some-story-124112500058_1.html"
    done = scrapy(tmp_path, "check", "article", "-a", f"url={url}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ran 3 contracts" in done.stderr and "\nOK" in done.stderr


# --- `-O -`: the README's stdout output ---------------------------------------------------------------------

SAVED_PAGE = Path(__file__).parent / "pages" / "nextjs-2023" / "no-image" / "page.html"


@pytest.mark.parametrize("option", ["-O", "-o"])
def test_dash_writes_json_lines_to_stdout(tmp_path: Path, option: str) -> None:
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", option, "-")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["url"] == SAVED_PAGE.as_uri()
    assert not list(tmp_path.glob("output/**/*.jsonl")), "stdout replaces the default file"


def test_dash_with_a_format_keeps_that_format(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", "-O", "-:csv")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("url,canonicalUrl,articleId,")


# --- a refusal is recorded and pinged, whichever check refused ----------------------------------------------


@pytest.mark.parametrize("base", ["", "ftp://www.business-standard.com", "www.business-standard.com"])
def test_a_base_url_that_is_no_http_url_is_a_recorded_refusal(tmp_path: Path, base: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={base}", "-O", "out.jsonl")
    assert_one_line_refusal(done, "error: BS_BASE_URL=", "is not an http(s) URL")
    records = history(tmp_path)
    assert len(records) == 1, records
    assert records[0]["status"] == 2 and records[0]["finish_reason"] == "refused"
    assert "BS_BASE_URL" in records[0]["reason"]


# --- `-o` appending to a file that is one document ---------------------------------------------------------


@pytest.mark.parametrize("name", ["all.json", "all.xml"])
def test_appending_a_second_document_to_a_json_or_xml_file_is_refused(tmp_path: Path, name: str) -> None:
    first = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", "-o", name)
    assert first.returncode == 0, first.stderr[-3000:]
    before = (tmp_path / name).read_bytes()
    second = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", "-o", name)
    assert second.returncode == 6, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    assert f"error: cannot write the output {name}:" in second.stderr and "-O" in second.stderr
    assert (tmp_path / name).read_bytes() == before, "the file stays one readable document"
    records = history(tmp_path)
    assert records[-1]["status"] == 6 and records[-1]["finish_reason"] == "refused"


@pytest.mark.parametrize(
    "arguments",
    [
        ["-O", "all.json"],  # replaces it
        ["-o", "all.jsonl"],  # JSON lines append
        ["-o", "all.csv"],  # CSV appends without a second header
        ["-s", 'FEEDS={"all.json": {"format": "json", "overwrite": true}}'],
        ["-o", "all-%(time)s.json"],  # a new file every run
    ],
)
def test_formats_and_options_that_add_to_a_file_run_after_run_are_kept(tmp_path: Path, arguments: list[str]) -> None:
    for name in ("all.json", "all.jsonl", "all.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "all.json").write_text("[]\n", encoding="utf-8")
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", *arguments)
    assert done.returncode == 0, done.stderr[-3000:]


# --- `scrapy runs --spider` / `scrapy report --spider` with a name no spider has --------------------------------


@pytest.mark.parametrize("command", [["runs"], ["report", "-o", "report.html"]])
def test_a_spider_name_typo_is_said_not_read_as_no_runs(tmp_path: Path, command: list[str]) -> None:
    done = scrapy(tmp_path, *command, "--spider", "lastest")
    assert_one_line_refusal(done, "--spider lastest", "did you mean latest?")
    assert not (tmp_path / "report.html").exists()


def test_a_spider_with_no_runs_yet_is_no_error(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "--spider", "section")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no runs recorded" in done.stdout


def test_runs_of_a_spider_the_project_no_longer_has_are_still_listed(tmp_path: Path) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    record = {"spider": "oldspider", "status": 0, "status_words": "ok", "started": "2026-11-01T00:00:00+00:00", "counts": {}}
    (state / "runs.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    done = scrapy(tmp_path, "runs", "--spider", "oldspider")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "oldspider" in done.stdout


# --- a JOBDIR that cannot be a folder ---------------------------------------------------------------------


@pytest.mark.parametrize("jobdir", ["a-file", "a-file/job"])
def test_a_jobdir_that_cannot_be_a_folder_is_one_error_line(tmp_path: Path, jobdir: str) -> None:
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", "-s", f"JOBDIR={jobdir}", "-O", "out.jsonl")
    assert_one_line_refusal(done, f"error: cannot use the JOBDIR {jobdir}:")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder\n"
    assert not (tmp_path / "out.jsonl").exists()
    records = history(tmp_path)
    assert records[-1]["status"] == 2 and records[-1]["finish_reason"] == "refused"


def test_a_jobdir_not_there_yet_is_made_and_the_run_works(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED_PAGE.as_uri()}", "-s", "JOBDIR=jobs/one", "-O", "out.jsonl")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "jobs" / "one").is_dir()


# --- `scrapy parse` of a saved page ------------------------------------------------------------------------


def test_parse_of_a_saved_page_prints_its_item(tmp_path: Path) -> None:
    # README: file:// URLs of saved pages work (`crawl article`); `scrapy parse` prints the item a page gives.
    done = scrapy(tmp_path, "parse", SAVED_PAGE.as_uri(), "--nolog")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'articleId': '124091200347'" in done.stdout, done.stdout[-3000:]
    assert "No response downloaded" not in done.stderr
