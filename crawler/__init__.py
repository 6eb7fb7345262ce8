"""Business Standard crawler: Scrapy spiders, pipelines and pure extraction rules."""
