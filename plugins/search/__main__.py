"""`python -m plugins.search OUTPUTDIR`: build the search index of a built site (Makefile)."""

import argparse
import sys
from pathlib import Path

from .indexer import BUNDLE, SearchIndexError, build_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugins.search",
                                     description="Index a built site with Pagefind.")
    parser.add_argument("site", type=Path, help="the built site (output/)")
    args = parser.parse_args(argv)
    try:
        pages = build_index(args.site)
    except SearchIndexError as error:
        print(f"search index: {error}", file=sys.stderr)
        return 1
    print(f"search index: {pages} page{'' if pages == 1 else 's'} indexed into {args.site / BUNDLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
