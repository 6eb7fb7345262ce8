"""A loopback copy of business-standard.com for tests, the benchmark and trying the crawler offline."""
