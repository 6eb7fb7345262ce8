"""Review of round 28's merged changes: a person's name that starts like an agency's, the seen-store's daily prune on a shared state dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.extraction.layouts.base import agency_names, name_then_place
from tests.conftest import ROOT
from tests.test_carried_probes_round28 import _ids, _store_with
from tests.test_extraction_probes_round21 import SPAN, _amp, _names
from tests.test_extraction_probes_round23 import _next_js
from tests.test_operations_probes_round26 import _as, needs_setpriv

# A reporter whose initials or first name read as an agency's ("AP Singh": A. P. Singh; "Ani Sharma"),
# and an author's page link, which names one person whatever its words.
PEOPLE = [
    ("AP Singh", ["AP Singh"]),
    ("By AP Singh", ["AP Singh"]),
    ("Ani Sharma", ["Ani Sharma"]),
    ("AP Singh and Shine Jacob", ["AP Singh", "Shine Jacob"]),
    ('<a href="/author/search/keyword/ap-singh">AP Singh</a>', ["AP Singh"]),
    ('<a href="/author/search/keyword/pti">PTI</a> and <a href="/author/search/keyword/ani-sharma">Ani Sharma</a>', ["PTI", "Ani Sharma"]),
    ('<a href="/author/search/keyword/aditi-shah">Reuters Aditi Shah</a>', ["Reuters Aditi Shah"]),
]


@pytest.mark.parametrize(("byline", "authors"), PEOPLE)
def test_a_next_js_byline_of_a_person_named_like_an_agency_is_that_person(byline: str, authors: list[str]) -> None:
    # Before (round 28's agency_names): "AP" and "Singh", two authors; a linked author split, its page lost.
    article = _next_js(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, None)
    if "<a " in byline:
        assert all(author.url for author in article.authors)


@pytest.mark.parametrize(("byline", "authors"), PEOPLE[:4])
def test_an_amp_byline_of_a_person_named_like_an_agency_is_that_person(byline: str, authors: list[str]) -> None:
    article = _amp(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, None)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # Guards: the agency's reporter and city as round 28 reads them.
        (["PTI Singh"], (["PTI", "Singh"], None)),
        (["IANS Sharma"], (["IANS", "Sharma"], None)),
        (["Reuters Aditi Shah"], (["Reuters", "Aditi Shah"], None)),
        (["AP Miami"], (["AP"], "Miami")),
        (["AFP Paris"], (["AFP"], "Paris")),
        (["New Delhi", "PTI"], (["PTI"], "New Delhi")),
        # A person's.
        (["AP Singh"], (["AP Singh"], None)),
        (["Ani Sharma"], (["Ani Sharma"], None)),
        (["Ap Kumar"], (["Ap Kumar"], None)),
    ],
)
def test_agency_names_tells_a_person_from_an_agency_s_reporter(names: list[str], expected: tuple[list[str], str | None]) -> None:
    assert agency_names(names, None, None) == expected


def test_a_person_named_like_an_agency_is_no_agency_and_city() -> None:
    # "Ani Kozhikode" (an acronym in title case) is no ANI dateline; "ANI Kozhikode" is.
    assert name_then_place("Ani Kozhikode") is None
    assert name_then_place("ANI Kozhikode") == ("ANI", "Kozhikode")


# --- the once-a-day prune on a state dir two users share --------------------------------------------------
# `latest` from one user's cron, `section` from another's, on one group-shared state dir (README: shared state
# dirs). The day's prune is dated by touching `seen.pruned` to the moment it pruned; a file of another user's
# may be written but not dated (utime with a time of one's own choosing is its owner's), so every prune by the
# second user said "Seen-store pruned, but .state/seen.pruned could not be written: Operation not permitted",
# and, its date left a day old, pruned again, the whole table read, at each of that user's runs.

FIRST_USER, SECOND_USER, SHARED_GROUP = 16581, 16582, 16580
PRUNE = """
import logging, sys
from datetime import timedelta
from pathlib import Path
from crawler.incremental.store import SqliteSeenStore
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
store = SqliteSeenStore(Path(sys.argv[1]))
print(store.prune_seen(timedelta(days=400)))
print(store.prune_seen(timedelta(days=400)))
store.close()
"""


@needs_setpriv
def test_the_other_user_of_a_shared_state_dir_dates_its_prune() -> None:
    state = Path(tempfile.mkdtemp(prefix="bs-round28-merged-"))
    try:
        state.chmod(0o2775)
        os.chown(state, 0, SHARED_GROUP)
        path = state / "seen.db"
        _store_with(path, {"old": timedelta(days=500), "new": timedelta(days=2)})
        marker = state / "seen.pruned"
        marker.touch()
        two_days_ago = time.time() - 2 * 86400
        os.utime(marker, (two_days_ago, two_days_ago))
        for item in state.iterdir():
            os.chown(item, FIRST_USER, SHARED_GROUP)
            item.chmod(0o664)
        done = subprocess.run(
            _as(SECOND_USER, SHARED_GROUP, [sys.executable, "-c", PRUNE, str(path)]),
            capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        # Pruned once, and dated: the same day's second look finds it done.
        assert done.stdout.split() == ["1", "None"], done.stderr[-2000:]
        assert "could not be written" not in done.stderr
        assert time.time() - marker.stat().st_mtime < 3600
        assert _ids(path) == {"new"}
    finally:
        shutil.rmtree(state, ignore_errors=True)
