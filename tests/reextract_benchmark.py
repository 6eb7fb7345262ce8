"""Re-extraction throughput and memory: ``python -m tests.reextract_benchmark --records 20000``.

Renders ``--records`` loopback articles (no server is started), stores them as one WARC.gz
written with warcio, or as a folder of saved pages, then times ``scrapy crawl reextract`` on
it in a child process and reports records/s and the child's peak resident memory. Run it
with two sizes to see that memory does not grow with the number of stored pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.loopback.site import LoopbackSite

ROOT = Path(__file__).resolve().parent.parent


def store(records: int, kind: str, where: Path) -> Path:
    """The loopback site's article pages as a WARC.gz or a folder of .html.gz pages."""
    site = LoopbackSite(articles=records, seed=1, legacy=0)  # not started: pages are rendered directly
    try:
        if kind == "warc":
            path = where / "articles.warc.gz"
            with open(path, "wb") as stream:
                writer = WARCWriter(stream, gzip=True)
                for record in site.articles:
                    answer = site.article_response(record, "page")
                    headers = [("Content-Type", answer.content_type), *answer.headers]
                    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(record.url, "response", payload=BytesIO(answer.body), http_headers=http))
            return path
        path = where / "pages"
        path.mkdir()
        for record in site.articles:
            (path / f"{record.article_id}.html.gz").write_bytes(gzip.compress(site.article_response(record, "page").body, 1))
        return path
    finally:
        site.stop()


def run(source: Path, workdir: Path) -> dict[str, float]:
    """Time ``scrapy crawl reextract`` on ``source``; its items, records/s and peak RSS."""
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = workdir / "out.jsonl"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "reextract", "-a", f"source={source}", "-O", str(out), "-s", "BS_REEXTRACT_PROGRESS_EVERY=5000"],
        cwd=workdir, env=env, capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"reextract failed ({result.returncode}):\n{result.stderr[-3000:]}")
    records = int(re.findall(r"'bs/reextract/records': (\d+)", result.stderr)[0])
    items = sum(1 for line in out.open(encoding="utf-8") if line.strip())
    # ru_maxrss of the children waited for so far (KB on Linux): only this one ran.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"records": records, "items": items, "seconds": round(elapsed, 1), "records_per_s": round(records / elapsed, 1), "peak_rss_mb": round(peak_mb, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--kind", choices=("warc", "folder"), default="warc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reextract-benchmark-") as scratch:
        where = Path(scratch)
        started = time.monotonic()
        source = store(args.records, args.kind, where)
        print(f"stored {args.records} pages as {args.kind} in {time.monotonic() - started:.1f} s", file=sys.stderr)
        print(json.dumps({"kind": args.kind, **run(source, where)}))


if __name__ == "__main__":
    main()
