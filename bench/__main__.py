"""`make bench`: run every benchmark with its defaults.

`python -m bench build --sizes 100` (or `service --seconds 5`, `import --sizes 10000`) runs one
part with its own flags. The programs the chosen parts run are checked first (bench/tools.py).
"""

import sys

from . import build, images, importing, lighthouse, service, tools

BENCHMARKS = {"build": build.main, "service": service.main, "lighthouse": lighthouse.main,
              "import": importing.main, "images": images.main}


def main(argv: list[str]) -> None:
    if not argv:
        tools.ensure(list(BENCHMARKS))
        for run in BENCHMARKS.values():
            run([])
        return
    name, *flags = argv
    if name not in BENCHMARKS:
        raise SystemExit(f"usage: python -m bench [{' | '.join(BENCHMARKS)} [flags]]")
    tools.ensure([name])
    BENCHMARKS[name](flags)


if __name__ == "__main__":
    main(sys.argv[1:])
