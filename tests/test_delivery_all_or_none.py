"""An article is in every feed or in none: when one feed fails on an item, the local files that took
it give it back, so the next run writes it once to each feed (not a second time to the feeds that had it)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.incremental import signals as bs_signals
from crawler.incremental.feedstorage import DurableFile
from crawler.incremental.pipeline import IncrementalPipeline, OutputFailed
from crawler.monitoring.verdict import EXIT_OUTPUT
from crawler.spiders.latest import LatestSpider
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_delivery_matrix import ENV, GZIP, Output, assert_exactly_once, ids_in, start, wait_for_articles
from tests.test_spiders_unit import make_spider, seed_response

ONE = b'{"articleId": "124010100001", "version": 1}\n'
TWO = b'{"articleId": "124010100002", "version": 1}\n'


@pytest.mark.parametrize("mode", ["wb", "ab"])
def test_a_taken_back_item_leaves_the_file_as_it_was_and_the_next_item_follows_it(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "items.jsonl"
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    file = DurableFile(path, mode, crawler)
    file.write(ONE)
    assert file.commit()
    file.write(TWO)
    assert file.take_back()
    assert path.read_bytes() == ONE
    # Overwriting, the file offset must come back too: else the next item follows a run of NUL bytes.
    file.write(TWO)
    assert file.commit()
    file.close()
    assert path.read_bytes() == ONE + TWO


def test_an_item_is_taken_back_off_a_file_stored_before_the_tracker_saw_it(tmp_path: Path) -> None:
    # Outside asyncio's reactor (`-s TWISTED_REACTOR=`) Scrapy stores a full batch inside its own
    # item_scraped handler, before the delivery tracker learns that another feed failed on its last item.
    path = tmp_path / "items-1.jsonl"
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    file = DurableFile(path, "wb", crawler)
    file.write(ONE)
    assert file.commit()
    file.write(TWO)
    file.close()
    assert file.take_back()
    assert path.read_bytes() == ONE


def test_a_stored_file_taken_away_or_written_since_keeps_its_item(tmp_path: Path) -> None:
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    moved = DurableFile(tmp_path / "moved.jsonl", "wb", crawler)
    moved.write(ONE)
    moved.close()
    (tmp_path / "moved.jsonl").rename(tmp_path / "elsewhere.jsonl")
    (tmp_path / "moved.jsonl").write_bytes(TWO)  # another file at its path now
    assert not moved.take_back()
    assert (tmp_path / "moved.jsonl").read_bytes() == TWO and (tmp_path / "elsewhere.jsonl").read_bytes() == ONE
    shared = DurableFile(tmp_path / "all.jsonl", "ab", crawler)
    shared.write(ONE)
    shared.close()
    with open(tmp_path / "all.jsonl", "ab") as other:
        other.write(TWO)
    assert not shared.take_back()
    assert (tmp_path / "all.jsonl").read_bytes() == ONE + TWO


def test_an_item_is_not_taken_back_over_what_another_run_appended_after_it(tmp_path: Path) -> None:
    path = tmp_path / "all.jsonl"
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    file = DurableFile(path, "ab", crawler)
    file.write(ONE)
    with open(path, "ab") as other:
        other.write(TWO)
    assert not file.take_back()
    file.close()
    assert path.read_bytes() == ONE + TWO


def test_once_a_feed_failed_no_article_reaches_the_others(tmp_path: Path) -> None:
    # A gzip or remote feed cannot give an item back: what reached it unconfirmed would be written
    # there again by the next run. So nothing more goes to any feed, and nothing more is claimed.
    spider = make_spider(LatestSpider, tmp_path)
    pipeline = IncrementalPipeline.from_crawler(spider.crawler)
    pipeline.open_spider(spider)
    (item,) = spider.parse_article(seed_response())
    spider.crawler.signals.send_catch_log(signal=bs_signals.feed_write_failed, path="out/items.csv", error=OSError("gone"))
    with pytest.raises(OutputFailed, match="an output feed failed"):
        pipeline.process_item(item, spider)
    assert pipeline.seen is not None and pipeline.seen.store is not None
    assert pipeline.seen.store.get(item.articleId) is None


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=31, days=20, legacy=0) as running:
        yield running


@pytest.fixture
def wanted(site: LoopbackSite) -> set[str]:
    site.reset_counts()
    return {r.article_id for r in site.articles}


# Two feeds in two folders, one of them taken away mid-run: the feed that still works took the item
# the other failed on (Scrapy writes every feed before anyone can tell), whichever comes first. The
# reader then takes the run's files away, failed or not (a cron job's next step): recovery can no
# longer see what they hold, and the item is written again by the next run.
SPLIT = [
    Output("working-feed-first", lambda d: ["-o", f"{d}/items.jsonl", "-o", f"{d}/gone/items.csv"], ("items.jsonl", "items.csv")),
    Output("failing-feed-first", lambda d: ["-o", f"{d}/gone/items.csv", "-o", f"{d}/items.jsonl"], ("items.jsonl", "items.csv")),
    Output("same-format", lambda d: ["-o", f"{d}/items.jsonl", "-o", f"{d}/gone/items.jsonl"], ("items.jsonl",)),
    # A batch per item, stored inside Scrapy's own handler (the default reactor): every item the
    # tracker may have to take back is in a file already closed.
    Output("stored-batches", lambda d: ["-s", "FEEDS=" + json.dumps({f"{d}/items-%(batch_id)d.jsonl": {"format": "jsonlines", "batch_item_count": 1},
                                                                     f"{d}/gone/items.csv": {"format": "csv"}}), "-s", "TWISTED_REACTOR="],
           ("items-*.jsonl", "items.csv")),
]


@pytest.mark.parametrize("output", SPLIT, ids=lambda o: o.name)
def test_a_feed_that_fails_takes_the_item_back_from_the_feeds_that_worked(
    site: LoopbackSite, wanted: set[str], output: Output, tmp_path: Path
) -> None:
    first = start(site, tmp_path, output, tmp_path / "run1", slow=True)
    wait_for_articles(site, first, 5)
    (first.folder / "gone").rename(first.folder / "gone.moved")
    status = first.wait()
    text = first.text()
    assert status == EXIT_OUTPUT, text[-3000:]
    assert "Cannot write the output file" in text and "Traceback" not in text, text[-3000:]
    picked = first.folder.rename(tmp_path / "picked-up")
    second = start(site, tmp_path, output, tmp_path / "run2")
    assert second.wait() == 0, second.text()[-3000:]
    working, failing = [picked, second.folder], [picked / "gone.moved", second.folder / "gone"]
    if output.name == "same-format":  # two feeds with one file name: each read on its own
        assert_exactly_once(output, working, wanted)
        assert_exactly_once(output, failing, wanted)
    else:
        assert_exactly_once(output, working + failing, wanted)
    assert "bs/output/taken_back" in text


def test_a_document_feed_that_gives_back_its_first_item_stays_a_whole_document(site: LoopbackSite, tmp_path: Path) -> None:
    # The disk-full feed fails on the run's first item, which the JSON and XML files then give back:
    # the exporter's opening (`[`, the XML declaration and root element) is no item's and stays, so
    # the closing written after it still makes a document a reader takes (not `]` or `</items>` alone).
    site.reset_counts()
    arguments = ["-O", "/dev/full:jsonlines", "-O", f"{tmp_path}/out/items.json", "-O", f"{tmp_path}/out/items.xml"]
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments, "-s", f"BS_BASE_URL={site.base_url}",
         *[f"-s{k}={v}" for k, v in FAST.items()]],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == EXIT_OUTPUT, done.stderr[-3000:]
    assert "bs/output/taken_back" in done.stderr, done.stderr[-3000:]
    assert json.loads((tmp_path / "out" / "items.json").read_bytes()) == []
    root = ET.fromstring((tmp_path / "out" / "items.xml").read_bytes())
    assert (root.tag, len(root)) == ("items", 0)


def test_the_articles_a_failed_gzip_feed_leaves_in_a_plain_file_are_named(site: LoopbackSite, wanted: set[str], tmp_path: Path) -> None:
    # A gzip feed has an item once it is stored, at the end: the plain file beside it has every
    # article of the run by then, and cannot give them back when the gzip feed fails. Taken away
    # with the run's folder, that file holds them again after the next run: the run says which.
    feeds = {f"{tmp_path}/run1/items.jsonl": {"format": "jsonlines"},
             f"{tmp_path}/run1/gone/items.jsonl.gz": {"format": "jsonlines", "postprocessing": [GZIP]}}
    output = Output("gzip-failing", lambda d: ["-s", "FEEDS=" + json.dumps(feeds)], ("items.jsonl",))
    first = start(site, tmp_path, output, tmp_path / "run1", slow=True)
    wait_for_articles(site, first, 5)
    (first.folder / "gone").rename(first.folder / "gone.moved")
    assert first.wait() == EXIT_OUTPUT, first.text()[-3000:]
    text = first.text()
    held = ids_in(first.folder / "items.jsonl")
    assert held and set(held) <= wanted
    named = " ".join(line for line in text.splitlines() if "although" in line and "failed on" in line)
    assert [article for article in held if article not in named] == [], text[-3000:]
    assert f"'bs/output/left_undelivered': {len(held)}," in text, text[-3000:]


def test_a_gzip_batch_stored_with_the_item_another_feed_failed_on_names_it(site: LoopbackSite, tmp_path: Path) -> None:
    # Outside asyncio's reactor a full gzip batch is stored inside Scrapy's own handler, so it is no
    # longer waiting when the tracker learns of the other feed's failure: it keeps the item all the same.
    site.reset_counts()
    feeds = {f"{tmp_path}/run1/items-%(batch_id)d.jsonl.gz": {"format": "jsonlines", "batch_item_count": 1, "postprocessing": [GZIP]},
             f"{tmp_path}/run1/gone/items.csv": {"format": "csv"}}
    output = Output("gzip-batches", lambda d: ["-s", "FEEDS=" + json.dumps(feeds), "-s", "TWISTED_REACTOR="], ())
    first = start(site, tmp_path, output, tmp_path / "run1", slow=True)
    wait_for_articles(site, first, 5)
    (first.folder / "gone").rename(first.folder / "gone.moved")
    assert first.wait() == EXIT_OUTPUT, first.text()[-3000:]
    text = first.text()
    batches = {article for path in first.folder.glob("items-*.jsonl.gz") for article in ids_in(path)}
    left = batches - set(ids_in(first.folder / "gone.moved" / "items.csv"))
    assert left, text[-3000:]
    named = " ".join(line for line in text.splitlines() if "although another feed failed on it" in line)
    assert [article for article in left if article not in named] == [], text[-3000:]
    assert f"'bs/output/left_undelivered': {len(left)}," in text, text[-3000:]
