"""Re-extraction without re-crawling: stored responses read from an HTTP cache, saved pages or WARC files."""
