"""The one benchmark runner.

Prints, per benchmark, our time, the baseline's time measured in the same run, their
ratio and the target; ``--json`` prints a list of objects with ``name``, ``ours_s``,
``baseline_s``, ``ratio`` and ``target``. Exit code 1 when a ratio misses its target,
so a person sees it; tests never assert timings (shared, noisy machines).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

import benchmarks
from benchmarks.core import Benchmark


def discover() -> list[Benchmark]:
    found: list[Benchmark] = []
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            found.extend(module.BENCHMARKS)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small data, for a smoke run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("names", nargs="*", help="run only these benchmarks")
    args = parser.parse_args(argv)
    os.environ.setdefault("DIPSAMPLE_PASSPHRASE", "benchmark-passphrase")
    results = []
    failed = False
    for bench in discover():
        if args.names and bench.name not in args.names:
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-{bench.name}-") as work:
            os.environ["DIPSAMPLE_HOME"] = work
            timings = bench.run(Path(work), args.quick)
        ratio = timings.ours_s / timings.baseline_s if timings.baseline_s else float("inf")
        failed |= ratio > bench.target
        results.append({"name": bench.name, "ours_s": round(timings.ours_s, 4),
                        "baseline_s": round(timings.baseline_s, 4), "ratio": round(ratio, 3),
                        "target": bench.target})
        if not args.json:
            mark = "ok" if ratio <= bench.target else "MISSED"
            print(f"{bench.name:<32} ours {timings.ours_s:8.3f}s  baseline "
                  f"{timings.baseline_s:8.3f}s  ratio {ratio:6.2f}  target <= {bench.target:g}"
                  f"  {mark}", flush=True)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
