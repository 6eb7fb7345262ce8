"""Write the test pages' folders: ``python -m tests.pages.build [--expected] [case …]``.

Renders every synthetic page of :data:`tests.pages.cases.CASES` into ``tests/pages/<layout>/<case>/``
(``page.html``, gzipped as ``page.html.gz`` above 100 kB) with its ``meta.json``. ``--expected`` also
rewrites ``expected.json`` from what the rules extract now: review the diff, and commit only what a
reader of the page would write down.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import asdict
from pathlib import Path

from crawler.extraction import NotAnArticle, extract_article
from tests.pages.cases import CASES, Case

HERE = Path(__file__).parent
SHARED = HERE.parents[2] / "shared"
GZIP_ABOVE = 100_000


def page_bytes(case: Case, folder: Path) -> bytes:
    """The page of a case as stored (or, for a real page, as kept in ../shared)."""
    if case.shared:
        return (SHARED / case.shared).read_bytes()
    plain, packed = folder / "page.html", folder / "page.html.gz"
    return gzip.decompress(packed.read_bytes()) if packed.exists() else plain.read_bytes()


def expected_of(case: Case, body: bytes) -> dict[str, object]:
    """What the rules extract from a page, as ``expected.json`` holds it."""
    try:
        return asdict(extract_article(body, case.url))
    except NotAnArticle as error:
        return {"notAnArticle": error.reason}


def write(data: object, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.pages.build", description=__doc__.splitlines()[0])
    parser.add_argument("--expected", action="store_true", help="also rewrite expected.json from what the rules extract now")
    parser.add_argument("cases", nargs="*", metavar="case", help="only these cases (name or <layout>/<name>); default: all")
    options = parser.parse_args(argv)
    names = options.cases
    # A misspelt case name built nothing and said nothing: the fixture a test reads was not refreshed.
    unknown = [name for name in names if not any(name in (case.name, case.folder) for case in CASES)]
    if unknown:
        parser.error(f"no such case: {', '.join(unknown)}")
    for case in CASES:
        if names and case.name not in names and case.folder not in names:
            continue
        folder = HERE / case.folder
        folder.mkdir(parents=True, exist_ok=True)
        if case.render is not None:
            html = case.render().encode("utf-8")
            for stale in ("page.html", "page.html.gz"):
                (folder / stale).unlink(missing_ok=True)
            if len(html) > GZIP_ABOVE:
                (folder / "page.html.gz").write_bytes(gzip.compress(html, mtime=0))
            else:
                (folder / "page.html").write_bytes(html)
        write(case.meta(), folder / "meta.json")
        if options.expected:
            write(expected_of(case, page_bytes(case, folder)), folder / "expected.json")
        print(folder.relative_to(HERE))


if __name__ == "__main__":
    main(sys.argv[1:])
