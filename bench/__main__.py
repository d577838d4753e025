"""`make bench`: run every benchmark with its defaults.

`python -m bench build --sizes 100` (or `service --seconds 5`, `import --sizes 10000`) runs one
part with its own flags. The programs the chosen parts run are checked first (bench/tools.py).
The whole run ends with every part's targets in one table, kept in bench/results/summary.json
(bench/summary.py).
"""

import sys

from . import build, images, importing, lighthouse, service, summary, tools

BENCHMARKS = {"build": build.main, "service": service.main, "lighthouse": lighthouse.main,
              "import": importing.main, "images": images.main}


def main(argv: list[str]) -> None:
    if not argv:
        tools.ensure(list(BENCHMARKS))
        started = summary.now()
        payloads = {name: run([]) for name, run in BENCHMARKS.items()}
        summary.summarize(payloads, started)
        return
    name, *flags = argv
    if name not in BENCHMARKS:
        raise SystemExit(f"usage: python -m bench [{' | '.join(BENCHMARKS)} [flags]]")
    tools.ensure([name])
    BENCHMARKS[name](flags)


if __name__ == "__main__":
    main(sys.argv[1:])
