"""``python -m crawler.schema`` rewrites ``article.schema.json`` from the item definition."""

from crawler.schema import SCHEMA_PATH, render

SCHEMA_PATH.write_text(render(), encoding="utf-8")
print(SCHEMA_PATH)
