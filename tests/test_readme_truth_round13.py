"""The README read as a user reads it, checked against the code: the settings table, the stats, the exit
statuses, the item's fields, and every command line it shows (spiders, ``-a`` and ``-s`` names, options)."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.settings import default_settings as scrapy_defaults
from scrapy.spiderloader import SpiderLoader

from crawler import settings as project_settings
from crawler import stats
from crawler.extraction import article as item_module
from crawler.monitoring import verdict
from tests.e2e import ROOT, scrapy

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Without its code blocks, whose `# comment` lines are no headings.
PROSE = re.sub(r"```.*?```", "", README, flags=re.S)
CODE = {path: path.read_text(encoding="utf-8") for path in sorted((ROOT / "crawler").rglob("*.py"))}


def section(title: str) -> str:
    """The text of one ``##``/``###`` section, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", PROSE, re.S | re.M)
    assert match, title
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in ``text``, as cells (a ``\\|`` inside a cell kept)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
    return rows[1:] if rows else rows


def spiders() -> dict[str, Any]:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    loader = SpiderLoader.from_settings(settings)
    return {name: loader.load(name) for name in loader.list()}


# --- Settings -------------------------------------------------------------------------------------------------

SETTINGS_ROWS = table_rows(section("Settings"))


def documented_settings() -> dict[str, str]:
    """Every setting the Settings table has a row for, with its default cell."""
    found: dict[str, str] = {}
    for name_cell, default, *_ in SETTINGS_ROWS:
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", name_cell):
            found[name] = default
    return found


def test_the_settings_table_has_a_row_for_every_bs_setting_the_code_reads() -> None:
    read = {name for text in CODE.values() for name in re.findall(r"""["'](BS_[A-Z0-9_]+)["']""", text)}
    declared = {name for name in vars(project_settings) if name.startswith("BS_")}
    documented = {name for name in documented_settings() if name.startswith("BS_")}
    assert read <= declared, f"read with no default in crawler/settings.py: {sorted(read - declared)}"
    assert declared - documented == set(), f"settings without a row: {sorted(declared - documented)}"
    assert documented - declared == set(), f"rows naming no setting: {sorted(documented - declared)}"


def _literal(cell: str) -> Any:
    """The value a default cell gives in backquotes (``600``, ``False``, ``[]``, a path)."""
    match = re.match(r"`([^`]*)`", cell)
    assert match, cell
    try:
        return ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return match.group(1)


def test_every_default_in_the_settings_table_is_the_one_the_code_uses() -> None:
    for name, cell in documented_settings().items():
        value = getattr(project_settings, name, None)
        if cell == "unset":
            assert value in (None, ""), name
        elif name in ("BS_WORKER_NAME", "BS_REDIS_RUN"):
            assert value == "", name  # empty: the host's or the spider's name, as the cell says
            assert cell in ("host name", "spider name"), name
        elif name == "BS_LATEST_SOURCES":
            feeds = [s for s in value if s.endswith(".rss")]
            sitemaps = [s for s in value if s.endswith(".xml")]
            assert (len(feeds), len(sitemaps), len(value)) == (6, 2, 9) and "/latest-news" in value, cell
            assert cell == "6 RSS feeds, 2 sitemaps, `/latest-news`"
        elif name == "BS_MIN_FIELD_COVERAGE":
            stated: dict[str, float] = {}
            for fields, share in re.findall(r"([A-Za-z, ]+?) (\d+) %", cell):
                for field in fields.split(","):
                    stated[field.strip()] = int(share) / 100
            assert stated == value, cell
        elif name == "BS_MAX_FAILED_SOURCES":
            assert value == -1 and cell.startswith("`-1`"), cell
            assert spiders()["archive"].custom_settings["BS_MAX_FAILED_SOURCES"] == 0 and "`archive`: `0`" in cell
        else:
            stated_value = _literal(cell)
            assert stated_value == value and type(stated_value) in (type(value), int), (name, cell, value)


def _fallbacks() -> list[tuple[str, str, str]]:
    """``(file, setting, fallback)`` of every getter given a fallback (``getfloat("BS_X", 600)``,
    ``get("BS_X") or "bs"``): what a component uses when the setting is not in its settings at all."""
    found = []
    for path, text in CODE.items():
        for name, fallback in re.findall(r"""\.get(?:int|float|bool|list|dict)?\(\s*"(BS_\w+)",\s*([^()]+?)\)""", text):
            found.append((str(path.relative_to(ROOT)), name, fallback.strip()))
        for name, fallback in re.findall(r"""\.get\(\s*"(BS_\w+)"\)\s*or\s*("[^"]*"|'[^']*')""", text):
            found.append((str(path.relative_to(ROOT)), name, fallback.strip()))
    return found


def test_the_getters_fall_back_to_the_documented_defaults() -> None:
    checked = 0
    for file, name, fallback in _fallbacks():
        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        try:
            value = eval(fallback, vars(module))  # a literal or a module constant (DEFAULT_MAX_SOURCES)
        except (NameError, AttributeError):
            continue  # a spider's own attribute (cls.base_url): the setting is always there
        default = getattr(project_settings, name)
        if name in ("BS_WORKER_NAME", "BS_REDIS_RUN") or default in ("", None) or value == "":
            continue  # empty: the name is checked (a BS_BASE_URL of "" is refused), not defaulted
        assert value == default, f"{file}: {name} falls back to {fallback} = {value!r}, the README and settings say {default!r}"
        checked += 1
    assert checked >= 20


# --- Stats ----------------------------------------------------------------------------------------------------

STAT_NAME = re.compile(r"`((?:bs|article)/[A-Za-z0-9_./<>-]*[A-Za-z0-9_>])`")
OWN_STATS = {k: v for k, v in vars(stats).items() if k.isupper() and isinstance(v, str) and v.startswith(("bs/", "article/"))}
FAMILIES = sorted((v for v in OWN_STATS.values() if v.endswith(("/", "_"))), key=len, reverse=True)


def test_every_stat_the_readme_names_is_one_the_code_writes() -> None:
    code = "\n".join(text for path, text in CODE.items() if path.name != "stats.py")
    for name in sorted(set(STAT_NAME.findall(README))):
        if name in OWN_STATS.values():
            continue
        family = next((prefix for prefix in FAMILIES if name.startswith(prefix)), None)
        assert family is not None, f"{name}: no constant or family of crawler/stats.py"
        member = name[len(family):]
        if "<" in member or re.fullmatch(r"(http-)?\d+", member):
            continue  # a placeholder, or an HTTP status (bs/blocked/403, bs/failed/http-404)
        assert re.search(rf"""["']{re.escape(member.split("/")[0])}["/']""", code), f"{name}: no code writes {member!r}"


def test_the_readme_names_every_stat_of_the_crawler() -> None:
    named = set(STAT_NAME.findall(README))
    missing = sorted(
        value
        for value in OWN_STATS.values()
        if value not in named and not any(n.startswith(value) for n in named)
    )
    assert missing == [], f"stats of crawler/stats.py the README does not name: {missing}"


# --- Exit statuses ----------------------------------------------------------------------------------------------


def test_the_exit_status_table_is_the_codes_the_verdict_gives() -> None:
    rows = table_rows(section("Cron"))
    documented = [int(row[0]) for row in rows if row[0].isdigit()]
    codes = sorted(v for k, v in vars(verdict).items() if k.startswith("EXIT_") and isinstance(v, int))
    assert documented == codes == list(range(10))
    meaning = {int(row[0]): row[1] for row in rows if row[0].isdigit()}
    # What the code means by each (crawler/monitoring/verdict.py), in the table's words.
    for status, words in {
        3: "another run of the same spider",
        4: "Access Denied",
        5: "extraction failed",
        6: "the output could not be written",
        7: "the seen-store cannot be used",
        8: "Redis unreachable",
        9: "Splash",
    }.items():
        assert words in meaning[status], (status, meaning[status][:200])


# --- The article item ---------------------------------------------------------------------------------------------


def test_the_item_table_has_exactly_the_fields_of_the_article_in_their_order() -> None:
    keys = [key for row in table_rows(section("The article item")) for key in re.findall(r"`(\w+)`", row[0])]
    assert keys == [field.name for field in dataclasses.fields(item_module.Article)]


@pytest.mark.parametrize(
    ("key", "shape", "cls"),
    [
        ("breadcrumbs", "[{name, url}]", item_module.Link),
        ("authors", "[{name, url}]", item_module.Link),
        ("mainImage", "{url, alt, caption}", item_module.Image),
        ("alsoRead", "[{headline, url}]", item_module.RelatedArticle),
        ("market", "[{name, value, change, changePercent}]", item_module.MarketQuote),
    ],
)
def test_the_item_table_gives_each_nested_fields_keys(key: str, shape: str, cls: type) -> None:
    row = next(row for row in table_rows(section("The article item")) if f"`{key}`" in row[0])
    assert f"`{shape}`" in row[1], row[1][:200]
    assert shape.strip("[]{}").split(", ") == [field.name for field in dataclasses.fields(cls)]


# --- Command lines ------------------------------------------------------------------------------------------------


def command_lines() -> list[str]:
    """Every ``scrapy …`` command of the README: the lines of its code blocks and its inline code."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", README, re.S):
        for line in block.splitlines():
            match = re.search(r"(?:^|/|\s)(scrapy (?:crawl|runs|report|merge|redisclear|parse|check)\b[^#|;&]*)", line)
            if match:
                found.append(match.group(1).rstrip(" \\"))
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    found += [code for code in re.findall(r"`([^`\n]+)`", prose) if code.startswith("scrapy ")]
    return list(dict.fromkeys(found))


def crawl_lines() -> list[list[str]]:
    lines = []
    for line in command_lines():
        line = re.sub(r"\[([^\]]*)\]", r"\1", line)  # optional parts are parts
        words = shlex.split(line.split(";")[0].replace("…", "x"))
        if words[:2] == ["scrapy", "crawl"] and len(words) > 2:
            lines.append(words)
    return lines


def known_setting(name: str) -> bool:
    return (
        hasattr(project_settings, name)
        or hasattr(scrapy_defaults, name)
        or name.startswith(("SPIDERMON_", "SPLASH_", "REDIS_"))  # the add-ons' own settings
    )


def test_every_crawl_line_names_a_spider_its_arguments_and_settings_that_exist() -> None:
    known = spiders()
    lines = crawl_lines()
    assert len(lines) >= 15
    for words in lines:
        spider = known.get(words[2])
        assert spider is not None, words
        arguments = [value.split("=", 1)[0] for flag, value in zip(words, words[1:]) if flag == "-a"]
        taken = spider.known_arguments()
        assert taken is not None, f"{words[2]}: its -a arguments are not checked"
        assert set(arguments) <= set(taken), (words, taken)
        settings = [value.split("=", 1)[0] for flag, value in zip(words, words[1:]) if flag == "-s"]
        assert all(known_setting(name) for name in settings), words


def test_every_a_argument_the_readme_shows_is_taken_by_some_spider() -> None:
    taken = {name for spider in spiders().values() for name in (spider.known_arguments() or ())}
    shown = set(re.findall(r"-a ([a-z_]+)=", README)) - {"_version", "_job"}
    assert shown <= taken, sorted(shown - taken)


def test_every_s_name_the_readme_shows_is_a_setting() -> None:
    shown = set(re.findall(r"-s '?([A-Za-z_][A-Za-z0-9_]*)=", README))
    assert shown, "no -s in the README?"
    # The README's own examples of what is refused: a typo, a name not in upper case, the NAME of `-s NAME=VALUE`.
    refused_on_purpose = {"BS_MAX_BLOCK_SHARE", "BS_REDIS_PREFX", "log_level", "NAME"}
    assert [name for name in sorted(shown - refused_on_purpose) if not known_setting(name)] == []


def _parser(command: str) -> argparse.ArgumentParser:
    module = importlib.import_module(f"crawler.commands.{command}")
    cmd = module.Command()
    cmd.settings = Settings()
    parser = argparse.ArgumentParser()
    cmd.add_options(parser)
    return parser


@pytest.mark.parametrize("command", ["runs", "report", "redisclear", "merge"])
def test_every_option_the_readme_gives_a_project_command_exists(command: str) -> None:
    parser = _parser(command)
    lines = [shlex.split(re.sub(r"\[([^\]]*)\]", r"\1", line).replace("…", "x")) for line in command_lines()]
    used = [words for words in lines if words[1] == command]
    assert used, command
    for words in used:
        options = [word for word in words[2:] if word.startswith("-") and word != "-"]  # (`-o -`: the standard output)
        for option in options:
            assert any(option in action.option_strings for action in parser._actions), (command, option, words)


# --- The tools' own command lines -------------------------------------------------------------------------------------

TOOLS = ["tests.loopback", "tests.pages.build", "bench.run", "bench.same_output", "bench.versus", "bench.differential"]


@pytest.mark.parametrize("module", TOOLS)
def test_every_option_the_readme_gives_a_tool_is_one_it_takes(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage:"), done.stdout[:300] + done.stderr[-300:]
    shown = set()
    for found in re.findall(rf"python -m {re.escape(module)}\b([^`#\n]*)", README):
        shown |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", found))
    for option in shown:
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", done.stdout), (module, option)


def test_building_the_test_pages_with_an_unknown_case_or_option_builds_nothing(tmp_path: Path) -> None:
    before = {path: path.stat().st_mtime_ns for path in (ROOT / "tests" / "pages").rglob("*") if path.is_file()}
    for arguments in (["embed"], ["--expectd", "embeds"], ["--help"]):
        done = subprocess.run([sys.executable, "-m", "tests.pages.build", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == (0 if arguments == ["--help"] else 2), (arguments, done.stderr[-500:])
        assert "nextjs-2023/embeds" not in done.stdout, arguments
    after = {path: path.stat().st_mtime_ns for path in (ROOT / "tests" / "pages").rglob("*") if path.is_file()}
    assert after == before, "nothing was rewritten"


def test_the_schema_command_shows_its_help_without_rewriting_the_schema() -> None:
    schema = ROOT / "crawler" / "schema" / "article.schema.json"
    before = schema.stat().st_mtime_ns
    done = subprocess.run([sys.executable, "-m", "crawler.schema", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage:"), done.stderr[-500:]
    assert schema.stat().st_mtime_ns == before


# --- reextract's -a arguments are checked like every spider's ------------------------------------------------------

SAVED = ROOT / "tests" / "pages" / "nextjs-2023" / "no-image"


def test_reextract_refuses_an_argument_it_does_not_take(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "reextract", "-a", f"source={SAVED}", "-a", "sourse=elsewhere", "-O", "out.jsonl")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "reextract: unknown argument(s) sourse; it takes -a source=" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_reextract_with_its_source_alone_still_runs(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "reextract", "-a", f"source={SAVED}", "-O", "out.jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1


# --- what the README shows next to `scrapy runs` ------------------------------------------------------------------


def test_runs_since_with_no_runs_says_so_as_the_readme_shows(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "--since", "1h")
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.fullmatch(r"no runs recorded in \.state/runs\.jsonl for --since \S+\+00:00\n", done.stdout), done.stdout


def test_runs_with_a_negative_count_is_exit_2(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "-n", "-1")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]


# --- `scrapy merge` of the per-worker folders -------------------------------------------------------------------


@pytest.mark.parametrize("contents", [{}, {"archive-m2.json": '[{"articleId": "124112500058"}]\n'}])
def test_merge_of_a_worker_folder_with_no_json_lines_file_is_refused(tmp_path: Path, contents: dict[str, str]) -> None:
    # README: gather the files of each machine into a folder and merge them. A folder the copy left empty
    # (or with files of another format) was merged as a machine with no articles: exit 0, its articles lost.
    (tmp_path / "m1").mkdir()
    (tmp_path / "m1" / "archive-m1.jsonl").write_text('{"articleId": "124112500057", "version": 1}\n', encoding="utf-8")
    (tmp_path / "m2").mkdir()
    for name, text in contents.items():
        (tmp_path / "m2" / name).write_text(text, encoding="utf-8")
    done = scrapy(tmp_path, "merge", "archive.jsonl", "m1/", "m2/")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "no .jsonl or .jsonl.gz file in the folder m2/" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "archive.jsonl").exists()


def test_merge_of_worker_folders_that_hold_their_files_still_merges(tmp_path: Path) -> None:
    for worker, article in (("m1", "124112500057"), ("m2", "124112500058")):
        (tmp_path / worker).mkdir()
        (tmp_path / worker / f"archive-{worker}.jsonl").write_text(f'{{"articleId": "{article}", "version": 1}}\n', encoding="utf-8")
    done = scrapy(tmp_path, "merge", "archive.jsonl", "m1/", "m2/")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len((tmp_path / "archive.jsonl").read_text(encoding="utf-8").splitlines()) == 2


# --- the summary line the README shows ------------------------------------------------------------------------


def test_the_summary_line_of_the_readme_is_the_one_the_verdict_writes() -> None:
    shown = re.search(r"`(Run summary: [^`]+)`", README)
    assert shown
    counts = {
        stats.NEW: 12,
        stats.UPDATED: 1,
        stats.UNCHANGED: 230,
        stats.OUTPUT_DELIVERED: 13,
        stats.DISCOVERY_SOURCES_READ: 7,
        stats.source_failed("offsite-redirect"): 1,
        stats.source_failed("not-xml"): 1,
        stats.layout("nextjs-2023"): 13,
        stats.missing("alsoRead"): 4,
        stats.missing("disclaimer"): 9,
    }
    assert verdict.RunVerdictExtension.summary(counts, "finished", 0, "ok") == shown.group(1)


def test_redisclear_without_redis_url_is_the_documented_exit_2(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "redisclear", "latest", "--prefix", "test")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "error: REDIS_URL is not set" in done.stderr and "Traceback" not in done.stderr


def test_redisclear_with_redis_unreachable_is_the_documented_exit_8(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "redisclear", "latest", "-s", "REDIS_URL=redis://127.0.0.1:1/0")
    assert done.returncode == 8, done.stderr[-2000:]
    assert "is unreachable" in done.stderr and "Traceback" not in done.stderr


def test_the_item_table_names_every_layout_the_rules_give() -> None:
    from crawler.extraction.layouts import LAYOUTS

    row = next(row for row in table_rows(section("The article item")) if row[0] == "`layout`")
    assert set(re.findall(r"`([a-z0-9-]+)`", row[1])) == {page.layout for page in LAYOUTS}


def test_the_scrapy_settings_the_readme_states_are_the_projects() -> None:
    # README, under the table: "Scrapy's own settings apply as usual (DOWNLOAD_TIMEOUT 30 s, …)".
    s = project_settings
    assert (s.DOWNLOAD_TIMEOUT, s.DOWNLOAD_MAXSIZE, s.RETRY_TIMES) == (30, 8 * 1024 * 1024, 3)
    assert 429 not in s.RETRY_HTTP_CODES and s.AUTOTHROTTLE_ENABLED and s.ROBOTSTXT_OBEY
    assert s.CONCURRENT_ITEMS == 1 and s.WARN_ON_GENERATOR_RETURN_VALUE is False
    assert s.STATS_CLASS == "crawler.statscollector.PlainStatsCollector"
    assert s.TELNETCONSOLE_ENABLED is False and s.REMOTE_CONTROL_ENABLED is False
    assert "scrapy.extensions.remote_control.RemoteControl" not in s.EXTENSIONS_BASE
    assert s.SPIDER_MIDDLEWARES == {
        "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    }
    # "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS is set empty unless you set it": an environment variable.
    assert os.environ.get("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS") is not None


# --- the add-ons' settings, refused by every command as `crawl` refuses them -----------------------------------------

ADDON_VALUES = [
    ("SPLASH_URL=localhost:8050", "SPLASH_URL is not an http(s) URL"),
    ("SPIDERMON_ENABLED=maybe", "SPIDERMON_ENABLED='maybe' is not true or false"),
    ("BS_HEARTBEAT_URL=hc-ping.com/x", "BS_HEARTBEAT_URL must be an http(s) URL with a host"),
]


@pytest.mark.parametrize("command", [["parse", SAVED.joinpath("page.html").as_uri()], ["check", "latest"], ["runs"]])
@pytest.mark.parametrize(("setting", "says"), ADDON_VALUES)
def test_an_addon_setting_crawl_refuses_is_refused_by_the_other_commands(tmp_path: Path, command: list[str], setting: str, says: str) -> None:
    # README, Settings: a value `crawl` refuses is refused by runs, report, redisclear, merge, parse and check too.
    # `parse` and `check` run the add-ons: a traceback (ValueError) and exit 1 there.
    done = scrapy(tmp_path, *command, "-s", setting)
    assert done.returncode == 2, done.stderr[-2000:]
    assert says in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


# --- the run record the README describes -------------------------------------------------------------------------


def test_the_run_record_holds_what_the_readme_lists(tmp_path: Path) -> None:
    import json

    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={SAVED.joinpath('page.html').as_uri()}", "-O", "out.jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    listed = scrapy(tmp_path, "runs", "--json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    record = json.loads(listed.stdout.splitlines()[0])
    # "start and end (UTC), spider, -a arguments, exit status in number and words and its reason, the summary line,
    # the counts …, items per layout, coverage and missing counts per field, failures by reason, Splash and Redis
    # figures, host, PID, Scrapy/project/Python versions, and every numeric stat"
    for key in ("started", "finished", "spider", "arguments", "status", "status_words", "reason", "summary", "counts",
                "layouts", "coverage", "missing", "failed", "splash", "redis", "host", "pid", "versions", "stats"):
        assert key in record, key
    for count in ("new", "updated", "unchanged", "emitted", "dropped", "requests", "responses", "blocked", "failed",
                  "skipped", "rate_limited", "retries", "errors", "sources_read", "sources_failed"):
        assert count in record["counts"], count
    assert record["stats"][stats.EXIT_STATUS] == 0 and stats.OUTPUT_DELIVERED in record["stats"]
    assert all(isinstance(value, (int, float)) for value in record["stats"].values())
    assert record["summary"].startswith("Run summary: ") and record["status_words"] == "ok"


@pytest.mark.parametrize("command", [["runs"], ["report", "-o", "report.html"]])
def test_a_history_that_cannot_be_read_is_the_documented_exit_1(tmp_path: Path, command: list[str]) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / ".state" / "runs.jsonl").mkdir(parents=True)
    done = scrapy(tmp_path, *command)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "error: cannot read the run history" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "report.html").exists()


def test_a_report_that_cannot_be_written_is_the_documented_exit_1(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    done = scrapy(tmp_path, "report", "-o", "a-file/report.html")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "error: cannot write the report a-file/report.html" in done.stderr and "Traceback" not in done.stderr


def test_the_readme_names_every_test_file_of_the_oldest_scrapy_leg() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    leg = re.search(r"\.venv-oldest/bin/python -m pytest(?:[^\n]*\\\n)*[^\n]*", ci)
    assert leg, "the 2.13 leg of .ci/run"
    run = set(re.findall(r"tests/(test_\w+)\.py", leg.group(0)))
    paragraph = re.search(r"`\.venv-oldest` gets(.*?)Measured at", README, re.S)
    assert paragraph
    assert set(re.findall(r"`(test_\w+)`", paragraph.group(1))) == run


@pytest.mark.parametrize(("title", "command"), [("Report: `scrapy report -o report.html`", "report"), ("Run history: `scrapy runs`", "runs")])
def test_every_option_a_commands_section_names_exists(title: str, command: str) -> None:
    parser = _parser(command)
    named = set(re.findall(r"`(--?[a-z][a-z-]*)(?: [A-Z]+)?`", section(title))) - {"-a"}  # crawl's, in the record
    assert named, title
    options = {option for action in parser._actions for option in action.option_strings}
    assert named <= options, sorted(named - options)


def test_merge_into_the_one_file_its_folder_holds_keeps_that_file(tmp_path: Path) -> None:
    # An OUTPUT found in an input folder is not read (README): with nothing else there, the merged file was
    # replaced by an empty one.
    (tmp_path / "out").mkdir()
    merged = tmp_path / "out" / "all.jsonl"
    merged.write_text('{"articleId": "124112500057", "version": 1}\n', encoding="utf-8")
    done = scrapy(tmp_path, "merge", "out/all.jsonl", "out/")
    assert done.returncode == 2, done.stderr[-2000:]
    assert merged.read_text(encoding="utf-8") == '{"articleId": "124112500057", "version": 1}\n'


def test_every_class_path_and_file_the_readme_names_exists() -> None:
    from scrapy.utils.misc import load_object

    for name in set(re.findall(r"`(crawler(?:\.\w+)+)`", README)):
        try:
            importlib.import_module(name)
        except ImportError:
            load_object(name)
    for path in set(re.findall(r"`((?:crawler|tests|bench|\.ci)/[^`\s:*<…]*)`", README)):
        assert (ROOT / path).exists(), path
    for name in set(re.findall(r"`(test_[a-z0-9_]+)`", README)):
        assert (ROOT / "tests" / f"{name}.py").exists(), name


@pytest.mark.parametrize("command", [["runs"], ["report", "-o", "report.html"]])
@pytest.mark.parametrize("params", ["notjson", '{"socket_timeout": 0}'])
def test_redis_params_crawl_refuses_are_exit_2_for_runs_and_report(tmp_path: Path, command: list[str], params: str) -> None:
    done = scrapy(tmp_path, *command, "-s", "REDIS_URL=redis://127.0.0.1:1/0", "-s", f"REDIS_PARAMS={params}")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "REDIS_PARAMS" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "report.html").exists()
