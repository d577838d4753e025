"""`make bench`: run the benchmarks. `python -m bench build --sizes 100` runs one part."""

import sys

from . import build

BENCHMARKS = {"build": build.main}


def main(argv: list[str]) -> None:
    if argv and argv[0] in BENCHMARKS:
        BENCHMARKS[argv[0]](argv[1:])
        return
    for run in BENCHMARKS.values():
        run(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
