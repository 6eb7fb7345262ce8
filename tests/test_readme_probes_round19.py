"""The README followed word for word by a newcomer: its walkthrough of a new layout version, done for real."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extraction.layouts import LAYOUTS, NextJsBlueprint
from tests.conftest import PAGES, SHARED, load_json
from tests.e2e import ROOT
from tests.pages.cases import CASES
from tests.test_readme_truth_round13 import README, section, table_rows

WALKTHROUGH = README[README.index("**Adding a layout version**") : README.index("## Performance")]


def steps() -> dict[int, str]:
    """The walkthrough's numbered steps, by number."""
    found = re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", WALKTHROUGH, re.S | re.M)
    return {int(number): " ".join(text.split()) for number, text in found}


def test_the_readmes_example_class_has_the_real_classs_selectors() -> None:
    """Before: the README's "real example" showed selectors the class does not have (`//div` where the
    class takes any element), so a newcomer copying it matched less than Blueprint does."""
    code = re.search(r"```python\n(.*?)```", WALKTHROUGH, re.S)
    assert code
    shown = dict(re.findall(r"(\w+) = XPath\(\"(.*?)\"\)", code.group(1)))
    assert shown == {name: getattr(NextJsBlueprint, name).path for name in ("BODY_CONTAINER", "BODY_AFTER_HEADLINE")}
    assert f'layout = "{NextJsBlueprint.layout}"' in code.group(1)


def test_the_layouts_table_lists_every_layout_and_class_in_the_order_they_are_tried() -> None:
    rows = table_rows(section("How extraction works, and how to add a layout version"))
    shown = [(row[0].strip("`"), row[1].strip("`").split("(")[0]) for row in rows]
    assert shown == [(layout.layout, layout.__name__) for layout in LAYOUTS]


def test_every_test_page_is_read_by_the_layout_its_folder_names_and_every_layout_has_one() -> None:
    """A new version whose `matches` misses its own page, with `expected.json` regenerated, said the older
    version's layout there and every test passed: the folder is now held to the layout that reads it."""
    articles = [case for case in CASES if case.not_article is None]
    for case in articles:
        assert load_json(PAGES / case.folder / "expected.json")["layout"] == case.layout, case.folder
    assert {layout.layout for layout in LAYOUTS} <= {case.layout for case in articles}


def test_the_expected_file_is_written_after_the_class_that_reads_the_page() -> None:
    """Before: step 1 ran `--expected` before step 2 wrote the class, so `expected.json` held the older
    version's `layout` and the step-4 tests failed on the page just added (done for real: `nextjs-2023`)."""
    numbered = steps()
    writes_class = min(n for n, text in numbered.items() if "LAYOUTS" in text)
    expected = [n for n, text in numbered.items() if "tests.pages.build --expected" in text]
    assert expected and min(expected) > writes_class, numbered


def test_the_last_step_runs_every_test_a_new_version_or_field_can_fail() -> None:
    """Before: it left out the README tables' tests (a new layout or field with no README row fails them)
    and the pinned content hash (a new field changes every article's), found failing only in the full suite."""
    last = steps()[max(steps())]
    command = shlex.split(re.search(r"`(python -m pytest [^`]*)`", last).group(1))  # type: ignore[union-attr]
    files = [word for word in command if word.startswith("tests/")]
    for needed in ("test_extraction_pages", "test_extraction_rules", "test_item_serialisation", "test_readme_truth_round13", "test_readme_probes_round19"):
        assert f"tests/{needed}.py" in files
    assert all((ROOT / name).is_file() for name in files)


def _created_by_the_readmes_commands() -> list[str]:
    """Paths the set-up, cron and report commands write in the project, as the README gives them."""
    shown = " ".join(re.findall(r"```(?:sh|cron)\n(.*?)```", README, re.S))
    paths = re.findall(r"BS_STATE_DIR=(\.[\w-]+)", shown) + re.findall(r"--logfile=([\w-]+)/", shown)
    # (`-o -` is the standard output: no file.)
    reports = [name for name in re.findall(r"scrapy report -o ([\w.-]+)`", README) if name != "-"]
    return [f"{path}/file" for path in paths] + reports


@pytest.mark.parametrize("path", sorted(set(_created_by_the_readmes_commands())))
def test_what_the_readmes_commands_write_in_the_project_is_ignored_by_git(path: str) -> None:
    """Before: the loopback try of "Set up" (`-s BS_STATE_DIR=.state-loopback`), the cron lines' `logs/`
    and `scrapy report -o report.html` left untracked files for `git add -A` to commit (a seen-store)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{path} is not ignored: {done.stderr}"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8000/markets/news/sensex-ends-higher-124112500058_1.html", "is not on BS_BASE_URL's site"),
        ("file:///nonexistent/saved-page.html", "no such saved page"),
        ("https://www.business-standard.com:99999/markets/news/a-124112500058_1.html", "not a valid URL"),
    ],
    ids=["loopback-without-base-url", "missing-saved-page", "port-no-socket-takes"],
)
def test_parse_refuses_a_url_crawl_article_refuses_in_one_line_as_crawl_does(tmp_path: Path, url: str, says: str) -> None:
    """README ("Looking at one page"): without `-s BS_BASE_URL`, a loopback URL is one `error:` line and
    exit 2, as `crawl article` says it. Before: Scrapy's banner, 12 lines of versions, came first."""
    from tests.e2e import scrapy

    (tmp_path / "crawl").mkdir()
    (tmp_path / "parse").mkdir()
    crawl = scrapy(tmp_path / "crawl", "crawl", "article", "-a", f"url={url}")
    parse = scrapy(tmp_path / "parse", "parse", url)
    assert crawl.returncode == parse.returncode == 2
    assert parse.stderr == crawl.stderr and says in parse.stderr and len(parse.stderr.splitlines()) == 1, parse.stderr
    assert not parse.stdout and not list((tmp_path / "parse").iterdir())


# --- the walkthrough done for real, in a copy of the project ---------------------------------------------------

SPEC = '''
# A story container of a made-up later design.
STORY2099 = replace(BLUEPRINT, article_id="126030100111", section_path="markets/news", section_name="Markets",
                    slug="example-later-story", headline="An example of a later design", story_container="stry99content")
'''
CASE = '    Case("nextjs-2099", "example", SITE + specs.STORY2099.path, "a later container", lambda: render_current(specs.STORY2099)),\n'
CLASS = '''

class NextJs2099(NextJsV1):
    """A later story container."""

    layout = "nextjs-2099"
    BODY_CONTAINER = XPath("/descendant::*[contains(@class, 'stry99content')][1]")
    BODY_AFTER_HEADLINE = XPath("following::*[contains(@class, 'stry99content')][1]")

    @classmethod
    def matches(cls, page: Page) -> bool:
        return page.has_next_data and page.mentions("stry99content") and bool(page.find(cls.BODY_CONTAINER))
'''


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.long
def test_the_walkthrough_of_a_new_layout_version_works_as_written(tmp_path: Path) -> None:
    """Each step's own command, in a copy of the project. Before: step 1's `--expected` wrote the page's
    `expected.json` from the older version (`layout: nextjs-2023`), and the last step's tests failed on it."""
    project = tmp_path / "project"
    # What git tracks, not what a tool builds in the tree while the tests run (build/, *.egg-info).
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".venv*", "output", ".state*", "*.jsonl", "__pycache__", ".*cache", ".hypothesis",
                                                                 "build", "dist", "*.egg-info"))
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)  # read where the project reads it, never copied
    env = {**os.environ, "PYTHONPATH": str(project)}

    def run(command: str) -> subprocess.CompletedProcess[str]:
        argv = shlex.split(command)
        assert argv[0] == "python"
        return subprocess.run([sys.executable, *argv[1:]], cwd=project, env=env, capture_output=True, text=True, timeout=900)

    commands = {n: re.findall(r"`(python -m [^`]*)`", text) for n, text in steps().items()}
    folder = project / "tests/pages/nextjs-2099/example"
    # 1. the spec, the case, the page.
    with (project / "tests/pages/specs.py").open("a", encoding="utf-8") as specs:
        specs.write(SPEC)
    _edit(project / "tests/pages/cases.py", "    _blueprint(),\n", "    _blueprint(),\n" + CASE)
    (build,) = commands[1]
    done = run(build.replace("<layout>/<name>", "nextjs-2099/example"))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in folder.iterdir()} == {"page.html", "meta.json"}
    # 2. the class, listed in LAYOUTS, and its names in the README's two tables.
    with (project / "crawler/extraction/layouts/nextjs.py").open("a", encoding="utf-8") as module:
        module.write(CLASS)
    _edit(project / "crawler/extraction/layouts/__init__.py", "from .nextjs import ", "from .nextjs import NextJs2099, ")
    _edit(project / "crawler/extraction/layouts/__init__.py", "(AmpV1, NextJsBlueprint,", "(AmpV1, NextJs2099, NextJsBlueprint,")
    _edit(project / "README.md", "| `nextjs-blueprint` | `NextJsBlueprint(NextJsV1)`", "| `nextjs-2099` | `NextJs2099(NextJsV1)` | a later container |\n| `nextjs-blueprint` | `NextJsBlueprint(NextJsV1)`")
    _edit(project / "README.md", "`nextjs-2023`, `nextjs-blueprint`,", "`nextjs-2023`, `nextjs-2099`, `nextjs-blueprint`,")
    # 3. the expected file, from the class.
    (expected,) = commands[3]
    done = run(expected.replace("<layout>/<name>", "nextjs-2099/example"))
    assert done.returncode == 0, done.stderr
    item = load_json(folder / "expected.json")
    assert item["layout"] == "nextjs-2099" and item["headline"] == "An example of a later design"
    # 5. the tests the README names (the new page's, and each test of a layout or of the README's tables).
    (tests,) = commands[5]
    done = run(tests + " -p no:randomly -p no:cacheprovider -k '(nextjs-2099 or layout or readmes_example) and not works_as_written'")
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\b\d{2,} passed", done.stdout), done.stdout[-500:]
