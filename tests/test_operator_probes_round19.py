"""Operating it, round 19: articles the site merged into others, the HTTP cache and several Content-Encodings,
the heartbeat of a run that ended in an exception, two workers of one name, and secrets in what a run writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import command, env

# --- every new article redirected to another article ------------------------------------------------
# A story the site merged into another (a live blog folded into the day's story, a duplicate taken
# down) answers a 301 to that story. Before: the page it led to was skipped as `redirected-away`, as a
# redirect to the home page is, and a run whose every new article was one exited 1, "none could be
# fetched (redirected-away=3)", though every page came back and the story it led to was there to read.
# Now the page is read as the article it is (by its own id: claimed, versioned and deduplicated as
# that one), one INFO line and the stat `bs/redirected/other_article`; the run is judged on it.


def _run(site: LoopbackSite, tmp_path: Path, name: str, *extra: str) -> tuple[int, str, list[dict[str, object]]]:
    output = tmp_path / f"{name}.jsonl"
    words = command(site, output, tmp_path / "state", *extra)
    done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
    items = [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []
    return done.returncode, done.stderr, items


@pytest.mark.parametrize("target_changed", [False, True], ids=["target-unchanged", "target-updated"])
def test_a_run_whose_every_new_article_redirects_to_another_article_reads_them(tmp_path: Path, target_changed: bool) -> None:
    with LoopbackSite(articles=12, seed=19) as site:
        status, log, first = _run(site, tmp_path, "run1")
        assert status == 0, log[-3000:]
        older = [r.article_id for r in site.articles[:3]]
        merged = [r.article_id for r in site.add_articles(3)]
        for article_id, target in zip(merged, older):
            site.redirect_article(article_id, target)
            if target_changed:
                site.modify(target)
        status, log, second = _run(site, tmp_path, "run2")
    assert status == 0 and "Traceback" not in log, log[-3000:]
    assert "redirected-away" not in log
    assert sum("redirected to another article" in line and "INFO" in line for line in log.splitlines()) == 3, log[-3000:]
    written = [item["articleId"] for item in second]
    # No item under a merged story's id; the stories it led to once each (only when they changed).
    assert not set(written) & set(merged)
    assert sorted(written) == (sorted(older) if target_changed else []), written
    record = RunHistory(tmp_path / "state").records()[-1]
    assert record["status"] == 0 and record["stats"].get("bs/redirected/other_article") == 3, record
