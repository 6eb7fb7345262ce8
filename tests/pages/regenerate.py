"""Re-render the current-layout test pages: ``python -m tests.pages.regenerate [--expected]``.

``--expected`` also writes ``<name>.actual.json`` beside each page with what the rules extract now,
for review against the hand-checked ``<name>.json``; it never overwrites the expected file.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.loopback.pages import render_current
from tests.pages.specs import PAGES

HERE = Path(__file__).parent / "current"


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, spec in PAGES.items():
        page = HERE / f"{name}.html"
        page.write_text(render_current(spec), encoding="utf-8")
        if "--expected" in sys.argv:
            from crawler.extraction import extract_article

            article = extract_article(page.read_bytes(), "https://www.business-standard.com" + spec.path)
            (HERE / f"{name}.actual.json").write_text(json.dumps(asdict(article), indent=2, ensure_ascii=False) + "\n")
        print(page)


if __name__ == "__main__":
    main()
