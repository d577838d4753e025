"""`make bench`: run every benchmark with its defaults.

`python -m bench build --sizes 100` (or `service --seconds 5`, `import --sizes 10000`) runs one
part with its own flags.
"""

import sys

from . import build, images, importing, lighthouse, service

BENCHMARKS = {"build": build.main, "service": service.main, "lighthouse": lighthouse.main,
              "import": importing.main, "images": images.main}


def main(argv: list[str]) -> None:
    if not argv:
        for run in BENCHMARKS.values():
            run([])
        return
    name, *flags = argv
    if name not in BENCHMARKS:
        raise SystemExit(f"usage: python -m bench [{' | '.join(BENCHMARKS)} [flags]]")
    BENCHMARKS[name](flags)


if __name__ == "__main__":
    main(sys.argv[1:])
