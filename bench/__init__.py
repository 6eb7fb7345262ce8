"""The performance benchmark (``python -m bench.run``): extraction against other extractors, whole crawls, memory."""
