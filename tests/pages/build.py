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
import zlib
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
        path = SHARED / case.shared
        if not path.is_file():
            raise FileNotFoundError(f"{case.folder}: {path} is absent: the real page is read from ../shared beside the project")
        return path.read_bytes()
    plain, packed = folder / "page.html", folder / "page.html.gz"
    if not packed.exists():
        return plain.read_bytes()
    try:
        return gzip.decompress(packed.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        # gzip's own message ("Not a gzipped file (b'<h')") names no file: say which page it is.
        raise ValueError(f"{packed}: not a whole gzip file ({error})") from error


def folder_problems(root: Path, cases: list[Case]) -> list[str]:
    """What is wrong with the test pages' folders under ``root``, one line each (empty when nothing)."""
    problems: list[str] = []
    folders = {c.folder for c in cases}
    for folder in sorted(p for p in root.glob("*/*") if p.is_dir() and not p.name.startswith(("_", "."))):
        name = folder.relative_to(root).as_posix()
        if name not in folders:
            # An empty or half-made folder (no Case) is read by no test: say so rather than skip it unseen.
            problems.append(f"{name}: a folder of no Case in tests/pages/cases.py: add its Case, or remove the folder")
    for case in cases:
        folder = root / case.folder
        meta, expected = folder / "meta.json", folder / "expected.json"
        plain, packed = folder / "page.html", folder / "page.html.gz"
        if not meta.is_file():
            problems.append(f"{case.folder}: no meta.json: run python -m tests.pages.build {case.folder}")
        elif json.loads(meta.read_text(encoding="utf-8")) != case.meta():
            problems.append(f"{case.folder}: meta.json is not its Case's: run python -m tests.pages.build {case.folder}")
        if not expected.is_file():
            problems.append(f"{case.folder}: no expected.json: run python -m tests.pages.build --expected {case.folder}, then review it")
        if case.shared:
            if not (case.origin.get("source") and case.origin.get("saved")):
                problems.append(f"{case.folder}: a real page's meta.json needs its source and the date it was saved (Case.origin)")
            if plain.exists() or packed.exists():
                problems.append(f"{case.folder}: a real page is read from ../shared/{case.shared}, not kept here")
            continue
        if plain.exists() and packed.exists():
            problems.append(f"{case.folder}: both page.html and page.html.gz (the tests read only the .gz): remove one")
        elif not plain.exists() and not packed.exists():
            problems.append(f"{case.folder}: no page.html or page.html.gz: run python -m tests.pages.build {case.folder}")
        elif packed.exists():
            try:
                page_bytes(case, folder)
            except ValueError as error:
                problems.append(str(error.args[0]).replace(f"{root}/", ""))
    return problems


def expected_of(case: Case, body: bytes) -> dict[str, object]:
    """What the rules extract from a page, as ``expected.json`` holds it."""
    try:
        return asdict(extract_article(body, case.url))
    except NotAnArticle as error:
        return {"notAnArticle": error.reason}


def write(data: object, path: Path) -> bool:
    """Write ``data`` as the fixtures' JSON; say whether the file changed (an unchanged one is not touched)."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def refusal(case: Case, expected: dict[str, object]) -> str | None:
    """Why ``expected`` must not be written for ``case``: the rules now refuse an article, or read a page that must be refused."""
    reason = expected.get("notAnArticle")
    if case.not_article is None and reason is not None:
        return f"not an article ({reason}): an article's expected.json is never a refusal; fix the rules, or make it a not-article Case"
    if case.not_article is not None and reason != case.not_article:
        now = f"refused as {reason!r}" if reason is not None else "read as an article"
        return f"must be refused as {case.not_article!r}, the rules now give it {now}"
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pages.build", description=__doc__.splitlines()[0])
    parser.add_argument("--expected", action="store_true", help="also rewrite expected.json from what the rules extract now")
    parser.add_argument("cases", nargs="*", metavar="case", help="only these cases (name or <layout>/<name>); default: all")
    options = parser.parse_args(argv)
    names = options.cases
    # A misspelt case name built nothing and said nothing: the fixture a test reads was not refreshed.
    unknown = [name for name in names if not any(name in (case.name, case.folder) for case in CASES)]
    if unknown:
        parser.error(f"no such case: {', '.join(unknown)}")
    failed = 0
    for case in CASES:
        if names and case.name not in names and case.folder not in names:
            continue
        folder = HERE / case.folder
        folder.mkdir(parents=True, exist_ok=True)
        changed = []
        if case.render is not None:
            html = case.render().encode("utf-8")
            name = "page.html.gz" if len(html) > GZIP_ABOVE else "page.html"
            data = gzip.compress(html, mtime=0) if name == "page.html.gz" else html
            for stale in {"page.html", "page.html.gz"} - {name}:
                if (folder / stale).exists():
                    (folder / stale).unlink()
                    changed.append(f"{stale} removed")
            if not (folder / name).is_file() or (folder / name).read_bytes() != data:
                (folder / name).write_bytes(data)
                changed.append(name)
        if write(case.meta(), folder / "meta.json"):
            changed.append("meta.json")
        if options.expected:
            try:
                expected = expected_of(case, page_bytes(case, folder))
            except (FileNotFoundError, ValueError) as error:
                print(f"error: {error}", file=sys.stderr)
                failed += 1
                continue
            why = refusal(case, expected)
            if why is not None:
                # Written, it would pass for a reviewed truth until a test reads it: keep the reviewed one.
                print(f"error: {case.folder}: {why}; expected.json left as it was", file=sys.stderr)
                failed += 1
                continue
            if write(expected, folder / "expected.json"):
                changed.append("expected.json")
        print(folder.relative_to(HERE), f"(changed: {', '.join(changed)})" if changed else "(unchanged)")
    if failed:
        print(f"error: {failed} case(s) not written; the others are", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
