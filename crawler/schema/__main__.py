"""``python -m crawler.schema`` rewrites ``article.schema.json`` from the item definition."""

import argparse

from crawler.schema import SCHEMA_PATH, render


def main() -> None:
    # An option (`--help`, `--check`) rewrote the file without a word, as if it were none.
    argparse.ArgumentParser(prog="python -m crawler.schema", description=f"Rewrite {SCHEMA_PATH.name} from the item definition.").parse_args()
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(SCHEMA_PATH)


# Only when run: importing the module (a test walking every module of the package) read pytest's own
# arguments as its options and rewrote the schema file.
if __name__ == "__main__":
    main()
