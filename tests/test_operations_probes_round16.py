"""Probes of round 16 on operating the crawler by hand and from cron: a spider argument given twice, a
merge input that holds no article, and a path beginning ``~`` that no shell expanded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_USAGE
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=10, seed=16) as running:
        yield running


def run(workdir: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in ``workdir``, with ``HOME`` set to ``home`` when given."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def article_urls(site: LoopbackSite, count: int) -> list[str]:
    return [site.base_url + article.path for article in site.articles[-count:]]


# --- A spider argument given twice -----------------------------------------------------------------
# Scrapy keeps the last value of an -a name given twice: `-a url=A -a url=B` fetched B alone, and
# `-a sections=markets/news -a sections=companies/news` walked one section, both exit 0.


@pytest.mark.parametrize(
    ("spider", "arguments", "words"),
    [
        ("article", ("url={0}", "url={1}"), "-a url=… is given twice"),
        ("section", ("sections=markets/news", "sections=companies/news"), "-a sections=… is given twice"),
        ("archive", ("since=2024-01-01", "until=2024-02-01", "since=2024-01-15"), "-a since=… is given twice"),
        ("latest", ("fresh=1", "fresh=0"), "-a fresh=… is given twice"),
    ],
)
def test_a_spider_argument_given_twice_with_two_values_is_refused(
    site: LoopbackSite, tmp_path: Path, spider: str, arguments: tuple[str, ...], words: str
) -> None:
    urls = article_urls(site, 2)
    site.reset_counts()
    given = [part for argument in arguments for part in ("-a", argument.format(*urls))]
    done = run(tmp_path, "crawl", spider, *given, "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-2000:]
    assert sum(site.counts.values()) == 0
    assert not (tmp_path / "out.jsonl").exists()


def test_parse_refuses_an_argument_given_twice(site: LoopbackSite, tmp_path: Path) -> None:
    first, second = article_urls(site, 2)
    done = run(tmp_path, "parse", first, "-a", f"url={first}", "-a", f"url={second}", "-s", f"BS_BASE_URL={site.base_url}")
    assert done.returncode == EXIT_USAGE
    assert "-a url=… is given twice" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_same_argument_given_twice_with_one_value_runs(site: LoopbackSite, tmp_path: Path) -> None:
    (url,) = article_urls(site, 1)
    done = run(tmp_path, "crawl", "article", "-a", f"url={url}", "-a", f"url={url}", "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 1


# --- scrapy merge: an input that holds no article -------------------------------------------------
# A file that is no JSON lines file of articles (the .json array `-O x.json` writes, a CSV, the run
# history, a binary file) was merged as what lines of it happened to read: "0 articles … 3 unreadable
# lines skipped", exit 0, and OUTPUT written without that machine's articles.

ITEM = {"articleId": "124022800873_1", "version": 1, "dateDownloaded": "2024-02-28T10:00:00+05:30", "headline": "A"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # What Scrapy's .json exporter writes: the last item alone was merged, the others lost.
        ("machine-2.json", "[\n" + json.dumps({**ITEM, "articleId": "124022800874_1"}) + ",\n" + json.dumps({**ITEM, "articleId": "124022800875_1"}) + "\n]"),
        ("machine-2.csv", "articleId,version,headline\n124022800874_1,1,B\n"),
        ("runs.jsonl", json.dumps({"spider": "archive", "status": 0}) + "\n"),
        ("machine-2.jsonl", "\x00\x01binary\n\xff\xfe\n"),
    ],
)
def test_a_merge_input_with_no_article_in_it_is_one_error_and_nothing_is_written(tmp_path: Path, name: str, text: str) -> None:
    good = tmp_path / "machine-1.jsonl"
    good.write_text(json.dumps(ITEM) + "\n")
    wrong = tmp_path / name
    wrong.write_bytes(text.encode("latin-1" if "\xff" in text else "utf-8"))
    done = run(tmp_path, "merge", "all.jsonl", str(good), str(wrong))
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0] and "nothing was written" in lines[0], done.stderr
    assert not (tmp_path / "all.jsonl").exists()


@pytest.mark.parametrize("text", ["", "\n\n", '{"articleId": "124022800874_1", "vers'])
def test_an_empty_file_or_a_worker_killed_before_its_first_line_still_merges(tmp_path: Path, text: str) -> None:
    good = tmp_path / "machine-1.jsonl"
    good.write_text(json.dumps(ITEM) + "\n")
    (tmp_path / "machine-2.jsonl").write_text(text)
    done = run(tmp_path, "merge", "all.jsonl", str(good), str(tmp_path / "machine-2.jsonl"))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text().splitlines()] == [ITEM["articleId"]]


# --- Paths beginning ~ that no shell expanded -------------------------------------------------------
# cron's /bin/sh and systemd leave `-s BS_STATE_DIR=~/bs-state` as it is, and no shell expands the `~`
# of `--logfile=~/logs/latest.log` or `--output=~/out.jsonl`: the run made a folder named `~` in its
# working directory (the seen-store there, not in the home folder a second crontab line reads), which
# `rm -rf ~` then "cleans up".


def test_paths_beginning_with_a_tilde_are_in_the_home_folder(site: LoopbackSite, tmp_path: Path) -> None:
    home, workdir = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    workdir.mkdir()
    (home / "urls.txt").write_text("\n".join(article_urls(site, 2)) + "\n")
    done = run(
        workdir, "crawl", "article", "-a", "url_file=~/urls.txt", "-s", f"BS_BASE_URL={site.base_url}",
        "-s", "BS_STATE_DIR=~/bs-state", "-s", "JOBDIR=~/job", "--logfile=~/logs/article.log", "--output=~/out/%(name)s.jsonl",
        home=home,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (workdir / "~").exists()
    assert len((home / "out" / "article.jsonl").read_text().splitlines()) == 2
    assert (home / "bs-state" / "runs.jsonl").is_file()
    assert (home / "job").is_dir()
    assert "Run summary" in (home / "logs" / "article.log").read_text()


def test_the_default_feed_and_the_state_dir_of_the_other_commands_take_a_tilde(site: LoopbackSite, tmp_path: Path) -> None:
    home, workdir = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    workdir.mkdir()
    (url,) = article_urls(site, 1)
    done = run(
        workdir, "crawl", "article", "-a", f"url={url}", "-s", f"BS_BASE_URL={site.base_url}",
        "-s", "BS_STATE_DIR=~/bs-state", "-s", "BS_DEFAULT_FEED=~/output/%(name)s.jsonl", home=home,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (workdir / "~").exists()
    assert (home / "output" / "article.jsonl").is_file()
    listed = run(workdir, "runs", "-s", "BS_STATE_DIR=~/bs-state", home=home)
    assert listed.returncode == 0 and "article" in listed.stdout, (listed.stdout, listed.stderr)


# --- An output named by a placeholder the spider has no value for ------------------------------------
# `-o out/%(section)s.jsonl` for `latest` (or any typo of a placeholder): Scrapy's feed exporter failed
# to open that feed as the spider opened (a KeyError it logs and goes on from), and the run fetched every
# new article, wrote it nowhere, and said "ok", exit 0, every run.


@pytest.mark.parametrize(
    ("spider", "outputs"),
    [
        ("article", ["out/%(nosuch)s.jsonl"]),
        ("latest", ["out/%(section)s.jsonl"]),
        ("latest", ["all.jsonl", "out/%(sinse)s.jsonl"]),
    ],
)
def test_an_output_named_by_a_placeholder_the_spider_has_no_value_for_fails_the_run_before_any_article(
    site: LoopbackSite, tmp_path: Path, spider: str, outputs: list[str]
) -> None:
    arguments = ["-a", f"url={article_urls(site, 1)[0]}"] if spider == "article" else []
    site.reset_counts()
    done = run(tmp_path, "crawl", spider, *arguments, *(part for output in outputs for part in ("-o", output)),
               "-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=INFO")
    assert done.returncode == 6, done.stderr[-3000:]
    assert site.article_requests() == 0
    assert f"Cannot write the output file {outputs[-1]}" in done.stderr
    assert not (tmp_path / "all.jsonl").exists() or not (tmp_path / "all.jsonl").read_text()


# --- A setting naming an object that loads but is not what the setting takes ----------------------
# `-s BS_SEEN_STORE=crawler.incremental.store` (the module, not its class), a function or another class
# of it: an AttributeError traceback as the run lock was taken, exit 1, nothing recorded; a module for
# any setting naming a class (`STATS_CLASS=crawler.stats`) a TypeError as the crawler was made.


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("BS_SEEN_STORE=crawler.incremental.store", "is a module"),
        ("BS_SEEN_STORE=crawler.incremental.store.backend", "is no seen-store class"),
        ("BS_SEEN_STORE=crawler.incremental.store.StateError", "is no seen-store class"),
        ("STATS_CLASS=crawler.stats", "is a module"),
        ("BS_SPIDERMON_FAILED_ACTIONS=crawler.stats", "is a module"),
    ],
)
def test_a_setting_naming_a_module_or_another_object_than_it_takes_is_one_error_line(
    site: LoopbackSite, tmp_path: Path, setting: str, words: str
) -> None:
    site.reset_counts()
    done = run(tmp_path, "crawl", "latest", "-s", setting, "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl")
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-3000:]
    assert sum(site.counts.values()) == 0


def test_the_seen_store_classes_of_the_project_pass(site: LoopbackSite, tmp_path: Path) -> None:
    done = run(tmp_path, "crawl", "latest", "-s", "BS_SEEN_STORE=crawler.incremental.store.SqliteSeenStore",
               "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl")
    assert done.returncode == 0, done.stderr[-3000:]


# --- --pidfile and --profile at paths to be made, or that cannot be written -------------------------
# Scrapy writes the pid file as the command starts: `--pidfile=/run/bs/latest.pid` after a reboot (/run
# is emptied) was a FileNotFoundError traceback, exit 1, the run neither made nor recorded; the profile,
# written when the run is over, a traceback in place of the run's exit status.


def test_a_pid_file_and_a_profile_in_folders_not_made_yet_are_written(site: LoopbackSite, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (url,) = article_urls(site, 1)
    done = run(tmp_path, "crawl", "article", "-a", f"url={url}", "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl",
               "--pidfile=run/bs/article.pid", "--profile=~/profiles/article.prof", home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "run" / "bs" / "article.pid").read_text().strip().isdigit()
    assert (home / "profiles" / "article.prof").stat().st_size > 0
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("option", ["--pidfile=afile/x.pid", "--profile=afile/x.prof", "--pidfile=folder"])
def test_a_pid_file_or_profile_that_cannot_be_written_is_one_error_line_and_recorded(site: LoopbackSite, tmp_path: Path, option: str) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "folder").mkdir()
    site.reset_counts()
    done = run(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl", option)
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write the "), done.stderr[-3000:]
    assert sum(site.counts.values()) == 0
    records = [json.loads(line) for line in (tmp_path / ".state" / "runs.jsonl").read_text().splitlines()]
    assert [record["status"] for record in records] == [EXIT_USAGE]


# --- scrapy crawl without a spider, or with two -------------------------------------------------------
# `scrapy crawl $SPIDER` with the variable unset in a crontab: Scrapy's banner and its usage text on
# every run, exit 2, neither recorded nor pinged; two names, a usage text as well.


@pytest.mark.parametrize(("names", "words"), [((), "name the spider to run"), (("latest", "archive"), "one spider at a time")])
def test_crawl_without_one_spider_is_one_error_line_and_recorded(site: LoopbackSite, tmp_path: Path, names: tuple[str, ...], words: str) -> None:
    site.reset_counts()
    done = run(tmp_path, "crawl", *names, "-s", f"BS_BASE_URL={site.base_url}")
    assert done.returncode == EXIT_USAGE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr[-2000:]
    assert "archive, article, latest, reextract, section" in lines[0]
    assert done.stdout == ""
    assert sum(site.counts.values()) == 0
    records = [json.loads(line) for line in (tmp_path / ".state" / "runs.jsonl").read_text().splitlines()]
    assert [record["status"] for record in records] == [EXIT_USAGE]


# --- An output that names a folder ---------------------------------------------------------------------
# `-s BS_DEFAULT_FEED=/srv/bs/out/` or `-o 'out/:jsonlines'` (a folder meant, the files in it): Scrapy
# wrote one file named as the folder (`out`), and the next run with a file in that folder failed.


@pytest.mark.parametrize("option", [("-s", "BS_DEFAULT_FEED=out/"), ("-o", "out/:jsonlines"), ("-O", "file:///{tmp}/out/:jsonlines")])
def test_an_output_that_names_a_folder_is_refused_before_anything_is_fetched(site: LoopbackSite, tmp_path: Path, option: tuple[str, str]) -> None:
    site.reset_counts()
    done = run(tmp_path, "crawl", "latest", option[0], option[1].format(tmp=str(tmp_path).lstrip("/")), "-s", f"BS_BASE_URL={site.base_url}")
    assert done.returncode == 6, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "names a folder" in last, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert sum(site.counts.values()) == 0
    assert not (tmp_path / "out").exists()


# --- merge and report given no file name to write, or an empty input -----------------------------------
# `scrapy merge "$OUT" …` or `scrapy report -o "$REPORT"` with the variable unset (or `.`, `/`): a
# ValueError traceback, exit 1; `scrapy merge all.jsonl "$DIR"` with DIR unset merged every file under the
# working directory.


@pytest.mark.parametrize("output", ["", ".", "/", ".."])
@pytest.mark.parametrize("command", ["merge", "report"])
def test_an_output_that_names_no_file_is_a_usage_error(tmp_path: Path, command: str, output: str) -> None:
    (tmp_path / "in.jsonl").write_text(json.dumps(ITEM) + "\n")
    arguments = [output, "in.jsonl"] if command == "merge" else ["-o", output]
    done = run(tmp_path, command, *arguments)
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "names no file" in done.stderr.strip().splitlines()[-1]


def test_an_empty_merge_input_is_a_usage_error_not_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale.jsonl").write_text(json.dumps(ITEM) + "\n")
    done = run(tmp_path, "merge", "all.jsonl", "")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    assert "an empty name" in done.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "all.jsonl").exists()
