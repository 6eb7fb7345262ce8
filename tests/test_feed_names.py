"""Output file names carry India's time, like the items' dates."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from crawler.feed_names import ist_time, uri_params
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite


def test_time_parameter_is_ist() -> None:
    assert ist_time(datetime(2026, 12, 1, 20, 45, 3, 999, tzinfo=timezone.utc)) == "2026-12-02T02-15-03+05-30"
    params = uri_params({"name": "latest", "time": "2026-12-01T20-45-03+00-00"}, None)
    assert params["name"] == "latest" and params["time"].endswith("+05-30")


def test_default_output_file_is_named_in_ist(tmp_path: Path) -> None:
    with LoopbackSite(articles=20, seed=4) as site:
        # No -O: the default feed, output/latest/latest-<IST time>.jsonl.
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}"]
        for name, value in FAST.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    [name] = [p.name for p in (tmp_path / "output" / "latest").glob("*.jsonl")]
    assert name.startswith("latest-") and name.endswith("+05-30.jsonl"), name
