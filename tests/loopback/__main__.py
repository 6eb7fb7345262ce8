"""``python -m tests.loopback [--port 8000] [--articles 2000] [--seed 1] [--days N]``: serve the loopback site until Ctrl-C."""

from __future__ import annotations

import argparse
import errno
import sys
import threading

from .corpus import DEFAULT_DAYS, DEFAULT_LEGACY
from .site import LoopbackSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.loopback", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free one; default 8000)")
    parser.add_argument("--articles", type=int, default=2000, help="current-layout articles (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same site (default 1)")
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS, help=f"days the articles span (default {DEFAULT_DAYS})")
    parser.add_argument("--legacy", type=int, default=DEFAULT_LEGACY, help=f"pre-2023 articles (default {DEFAULT_LEGACY})")
    options = parser.parse_args(argv)
    try:
        site = LoopbackSite(articles=options.articles, seed=options.seed, port=options.port, days=options.days, legacy=options.legacy)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"error: port {options.port} on 127.0.0.1 is busy; choose another with --port (0: any free one)", file=sys.stderr)
        else:
            print(f"error: cannot serve on 127.0.0.1:{options.port}: {error.strerror or error}", file=sys.stderr)
        sys.exit(1)
    newest = site.articles[-1]
    oldest = site.articles[0]
    print(f"Loopback business-standard.com at {site.base_url} ({len(site.articles)} articles)", flush=True)
    for label, path in (
        ("robots.txt", "/robots.txt"),
        ("sitemap index", "/sitemap/sitemap-index.xml"),
        ("news sitemap", "/sitemap/google-news-sitemap.xml"),
        ("RSS", "/rss/latest.rss"),
        ("listing", "/latest-news"),
        ("newest article", newest.path),
        ("its AMP page", "/amp" + newest.path),
        ("pre-2023 article", oldest.path),
        ("request counts", "/_control/counts"),
    ):
        print(f"  {label:17} {site.base_url}{path}")
    print("Ctrl-C stops.", flush=True)
    site.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


if __name__ == "__main__":
    main()
