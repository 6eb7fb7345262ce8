"""Review of round 9's rules: a title with a site's name after another separator, or after a headline's
own ellipsis, is no whole of the headline; a ``-s`` value Scrapy documents is not refused."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.commands import merge
from crawler.extraction import extract
from crawler.extraction.layouts.base import cut_short
from crawler.monitoring.heartbeat import heartbeat_problem
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_monitoring_probes_round9 import problems_of

AMP = "amp/seed-syndicated"


@pytest.mark.parametrize("suffix", [" \u00b7 Business Standard", " \u00bb BS", " \u2022 BS", " :: Business Standard", " | Business Standard"])
def test_an_amp_og_title_with_the_site_s_name_after_any_separator_is_no_whole_headline(suffix: str) -> None:
    # On AMP og:title is a source the headline is compared with: "<headline> · Business Standard" was
    # taken as the whole of a headline JSON-LD had cut, and the site's name became part of the headline.
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    result = extract(_once(html, "</head>", f'<meta property="og:title" content="{headline}{suffix}"></head>').encode(), url)
    assert result.article.headline == headline and result.provenance.sources["headline"] == "ld"


@pytest.mark.parametrize(
    ("text", "whole", "cut"),
    [
        # A headline that ends in dots of its own, then the site's name: no cut.
        ("Sensex closes flat as markets wait for the Fed...", "Sensex closes flat as markets wait for the Fed... | Business Standard", False),
        ("Sensex closes flat as markets wait for the Fed\u2026", "Sensex closes flat as markets wait for the Fed\u2026 - BS", False),
        ("Sensex closes flat as markets wait\u2026", "Sensex closes flat as markets wait \u00b7 BS", False),
        # An ellipsis the whole does not have is a cut, whatever follows.
        ("Sensex closes flat as markets wait\u2026", "Sensex closes flat as markets wait for the Fed", True),
        ("Sensex closes flat as markets wait for the Fed...", "Sensex closes flat as markets wait for the Fed's call", True),
        ("Sensex closes flat as markets wait for", "Sensex closes flat as markets wait for the Fed", True),
    ],
)
def test_a_text_ending_in_its_own_ellipsis_before_a_suffix_is_no_cut(text: str, whole: str, cut: bool) -> None:
    assert cut_short(text, whole) is cut


@pytest.mark.parametrize(
    "setting",
    [
        # Scrapy's referrer policies by their standard names (Scrapy's settings documentation).
        "REFERRER_POLICY=no-referrer", "REFERRER_POLICY=same-origin", "REFERRER_POLICY=scrapy-default",
        # Scrapy's documented None, as -s gives it: the default reactor; start requests queued as any other.
        "TWISTED_REACTOR=", "SCHEDULER_START_DISK_QUEUE=", "SCHEDULER_START_MEMORY_QUEUE=",
    ],
)
def test_a_value_scrapy_documents_for_an_object_setting_passes(setting: str) -> None:
    assert problems_of(setting) == {}


@pytest.mark.parametrize(
    ("setting", "words"),
    [("REFERRER_POLICY=crawler.nope.Policy", "cannot be loaded"), ("REFERRER_POLICY=", "cannot be loaded"), ("STATS_CLASS=", "cannot be loaded"), ("BS_SEEN_STORE=", "cannot be loaded")],
)
def test_an_object_setting_that_cannot_be_loaded_is_still_a_problem(setting: str, words: str) -> None:
    name = setting.split("=", 1)[0]
    problems = problems_of(setting)
    assert name in problems and words in problems[name], problems


def _trail_ending_without_a_url(last: str) -> str:
    steps = [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://www.business-standard.com/"},
        {"@type": "ListItem", "position": 2, "name": "India News", "item": "https://www.business-standard.com/india-news"},
        {"@type": "ListItem", "position": 3, "name": last},
    ]
    trail = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": steps}
    return f'<script type="application/ld+json">{json.dumps(trail)}</script></head>'


@pytest.mark.parametrize("last", ["whole", "cut"])
def test_a_headline_json_ld_cut_stays_whole_when_the_trail_reads_it_first(last: str) -> None:
    # The trail's last step without a URL is judged against the headline (section comes before the
    # headline in the item): the second reading of the headline skipped the comparison that makes a
    # cut JSON-LD headline give way, and the item had the cut one.
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    cut = headline[:40] + "\u2026"
    html = _once(html, f'"headline": "{headline}"', f'"headline": "{cut}"')
    result = extract(_once(html, "</head>", _trail_ending_without_a_url(headline if last == "whole" else cut)).encode(), url)
    assert result.article.headline == headline and result.provenance.sources["headline"] == "dom"
    assert [step.name for step in result.article.breadcrumbs] == ["Home", "India News"]
    assert result.provenance.disagreements.count("headline") == 1


def test_a_cut_headline_gives_way_to_the_whole_not_to_a_title_with_the_site_s_name() -> None:
    # JSON-LD cut, og:title the whole with the site's name after it, the h1 the whole: og:title was
    # taken as the whole (it is longer than the cut), and the h1 after it never replaced it.
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    html = _once(html, f'"headline": "{headline}"', f'"headline": "{headline[:40]}\u2026"')
    result = extract(_once(html, "</head>", f'<meta property="og:title" content="{headline} | Business Standard"></head>').encode(), url)
    # (og:title without the site's name is the whole headline too: either may answer.)
    assert result.article.headline == headline and result.provenance.sources["headline"] in ("meta", "dom")


def test_merge_with_no_room_for_its_temporary_file_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The winning lines spill to a temporary SQLite file (TMPDIR): a full disk there was a traceback
    # (sqlite3.OperationalError), where a full disk for the output is one line.
    made = merge.BestLines.__init__

    def small(self: merge.BestLines) -> None:
        made(self)
        self._db.execute("PRAGMA max_page_count = 4")  # as a temporary folder with no room left

    monkeypatch.setattr(merge.BestLines, "__init__", small)
    source = tmp_path / "w1.jsonl"
    source.write_text("".join(json.dumps({"articleId": f"1{i:011d}", "articleBody": "x" * 3000}) + "\n" for i in range(50)))
    command = merge.Command()
    command.run([str(tmp_path / "merged.jsonl"), str(source)], argparse.Namespace())
    err = capsys.readouterr().err.strip().splitlines()
    assert command.exitcode == 1 and len(err) == 1 and err[0].startswith("error: ") and "temporary" in err[0], err
    assert not (tmp_path / "merged.jsonl").exists() and not list(tmp_path.glob("merged*"))


@pytest.mark.parametrize("url", ["http://[::1/0f6b1e9c-uuid", "https://[hc-ping.com]/0f6b1e9c-uuid"])
def test_a_heartbeat_url_urllib_cannot_split_is_a_problem_in_one_line(url: str) -> None:
    # urlsplit raises ValueError for these: the crawl command's check was a traceback before its banner.
    problem = heartbeat_problem(Settings({"BS_HEARTBEAT_URL": url}))
    assert problem and "BS_HEARTBEAT_URL" in problem and "0f6b1e9c" not in problem
