"""``python -m bench.differential --save OUT`` / ``--compare OUT``: the extraction of ~1,000 pages, written
or compared line by line, so a change meant to be faster can be shown to change no output.

Pages (all generated or read in-process, no server): every loopback article of a seeded site as a
page and as its AMP twin (Next.js and pre-2023), pages that are not articles (home, listings, topic
pages, the video page, the live-market page, 404 pages), Akamai block pages (plain and entity-encoded),
pages the site mangles (cut short in transit, re-encoded as Windows-1252, paywall stubs), seeded
random cuts and insertions of article pages, and every fixture of ``tests/pages/``.
Each line is the page's name and either the item (every field, ``asdict``) with how it was read
(sources, disagreements, flags, encoding note) or the ``NotAnArticle`` reason and message.

To compare code against another commit: extract that commit's ``crawler/`` somewhere and run with
``--code DIR`` (put before the worktree on ``sys.path``), e.g.::

    git archive main crawler | tar -x -C /tmp/base
    python -m bench.differential --code /tmp/base --save /tmp/before.jsonl
    python -m bench.differential --compare /tmp/before.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _pages(articles: int, mutations: int, seed: int) -> Iterator[tuple[str, str, bytes | str]]:
    """(name, url, body) of every page compared."""
    from tests.loopback.corpus import CURRENT
    from tests.loopback.pages import render_block_page, render_block_page_encoded, render_current
    from tests.loopback.site import LoopbackSite
    from tests.pages.build import page_bytes
    from tests.pages.cases import CASES

    for case in CASES:
        if case.shared and not (ROOT.parent / "shared" / case.shared).is_file():
            continue
        yield f"fixture {case.folder}", case.url, page_bytes(case, ROOT / "tests" / "pages" / case.folder)

    site = LoopbackSite(articles=articles, seed=seed)
    try:
        records = site.articles
        bodies: list[tuple[Any, str, str, bytes]] = []
        for record in records:
            forms = ("page", "amp") if record.layout == CURRENT else ("page",)
            for form in forms:
                url = site.base_url + ("/amp" if form == "amp" else "") + record.path
                body = site.article_response(record, form).body
                bodies.append((record, f"{form} {record.article_id}", url, body))
        yield from ((name, url, body) for _, name, url, body in bodies)
        # The site's other pages.
        for path in ["/", "/latest-news", "/markets/live-market", site.video.path, "/no/such/page"]:
            yield f"other {path}", site.base_url + path, site.respond(path).body
        for path in sorted(site.index.listings)[:20] + [f"/topic/{t}" for t in sorted(site.index.topics)[:20]]:
            yield f"listing {path}", site.base_url + path, site.respond(path).body
        # Akamai's block page (its reference fixed, so the pages are the same in every run).
        for index, (_, name, url, _) in enumerate(bodies[:20]):
            render = render_block_page_encoded if index % 2 else render_block_page
            yield f"block {name}", url, render("www.business-standard.com", url, f"18.5f3c1002.{index:x}").encode()
        rng = random.Random(seed)
        for record, name, url, body in bodies[:: max(1, len(bodies) // 60)]:
            # Cut short in transit at a random point; re-encoded while the header says UTF-8.
            yield f"truncated {name}", url, body[: rng.randint(len(body) // 10, len(body))]
            yield f"latin1 {name}", url, body.decode().encode("cp1252", errors="replace")
            if record.layout == CURRENT and name.startswith("page"):
                stub = render_current(replace(record.spec, premium=True, paragraphs=[], inline_also_read=None), site.base_url)
                yield f"paywall-stub {name}", url, stub.encode()
        for index in range(mutations):
            _, name, url, body = rng.choice(bodies)
            text = body.decode("utf-8", errors="replace")
            for _ in range(rng.randint(1, 6)):
                begin = rng.randrange(len(text))
                cut = rng.randint(0, len(text) // 5)
                insert = "".join(rng.choice("<>/\"'= &;#divpsan\n{}[]:,") for _ in range(rng.randint(0, 40)))
                text = text[:begin] + insert + text[begin + cut :]
            yield f"mutated {index} {name}", url, text
    finally:
        site.stop()


def _outcome(body: bytes | str, url: str) -> dict[str, Any]:
    from crawler.extraction import NotAnArticle, extract

    try:
        found = extract(body, url)
    except NotAnArticle as error:
        return {"notAnArticle": error.reason, "message": str(error)}
    provenance = found.provenance
    return {
        "item": asdict(found.article),
        "sources": provenance.sources,
        "disagreements": provenance.disagreements,
        "flags": sorted(provenance.flags),
        "encoding": None if found.encoding_note is None else [found.encoding_note.kind, str(found.encoding_note)],
    }


# The loopback site listens on a free port: the port is not part of the outcome.
_LOOPBACK = re.compile(r"127\.0\.0\.1:\d+")


def lines(articles: int, mutations: int, seed: int) -> Iterator[str]:
    for name, url, body in _pages(articles, mutations, seed):
        line = json.dumps({"page": name, **_outcome(body, url)}, ensure_ascii=False, sort_keys=True)
        yield _LOOPBACK.sub("127.0.0.1:PORT", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.differential", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--save", type=Path, help="write the outcomes here")
    what.add_argument("--compare", type=Path, help="compare the outcomes with those saved here")
    parser.add_argument("--code", type=Path, help="a directory holding the crawler/ package to run instead of this worktree's")
    parser.add_argument("--articles", type=int, default=400, help="articles of the loopback site (default 400)")
    parser.add_argument("--mutations", type=int, default=200, help="randomly mutated pages (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)
    if options.code:
        sys.path.insert(0, str(options.code.resolve()))
    import crawler

    print(f"extraction code: {Path(crawler.__file__).parent}", file=sys.stderr)
    outcomes = lines(options.articles, options.mutations, options.seed)
    if options.save:
        with options.save.open("w", encoding="utf-8") as out:
            count = sum(out.write(line + "\n") > 0 for line in outcomes)
        print(f"{count} pages written to {options.save}")
        return 0
    saved = options.compare.read_text(encoding="utf-8").splitlines()
    count = differ = 0
    for index, line in enumerate(outcomes):
        count += 1
        before = saved[index] if index < len(saved) else None
        if line != before:
            differ += 1
            if differ <= 5:
                print(f"DIFFERENT: {json.loads(line)['page']}\n  before: {(before or '')[:600]}\n  after:  {line[:600]}")
    if count != len(saved):
        print(f"page counts differ: {len(saved)} saved, {count} now")
        differ += 1
    print(f"{count} pages compared, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
