"""The one benchmark runner.

Prints, per benchmark, the median of our runs and of the baseline's runs (measured in
the same run, interleaved; see :mod:`benchmarks.core`), their ratio, the target and
the number of runs. ``--json`` prints a list of objects with ``name``, ``ours_s`` and
``baseline_s`` (medians), ``ours_min_s``/``ours_max_s``, ``baseline_min_s``/
``baseline_max_s``, ``ratio``, ``target``, ``ok``, ``repeats`` and ``gc`` ("paused"
when ours paused the cyclic GC and the baseline was timed the same way). Exit code 1
when a ratio misses its target, so a person sees it; tests never assert timings
(shared, noisy machines).
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
from benchmarks.core import Benchmark, Result, default_repeats, measure
from benchmarks.stores import PASSPHRASE

HEADER = (f"{'benchmark':<30} {'ours':>9} {'baseline':>9} {'ratio':>7} {'target':>9}"
          f"  {'result':<6} {'runs':>4}  gc")


def discover() -> list[Benchmark]:
    found: list[Benchmark] = []
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            found.extend(module.BENCHMARKS)
    return found


def line(result: Result) -> str:
    """One row under :data:`HEADER`; times are medians in seconds."""
    unit = result.unit if len(result.unit) == 1 else result.unit[0]
    return (f"{result.name:<30} {result.ours.median:8.3f}{unit} "
            f"{result.baseline.median:8.3f}{unit} "
            f"{result.ratio:7.2f} {'<= ' + format(result.target, 'g'):>9}  "
            f"{'ok' if result.ok else 'MISSED':<6} {result.repeats:>4}  "
            f"{'paused' if result.gc_paused else 'enabled'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small data, for a smoke run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs of each side (default: 5, or 3 with --quick)")
    parser.add_argument("names", nargs="*", help="run only these benchmarks")
    args = parser.parse_args(argv)
    repeats = args.repeats or default_repeats(args.quick)
    os.environ.setdefault("DIPSAMPLE_PASSPHRASE", PASSPHRASE)
    results: list[Result] = []
    if not args.json:
        runs = "1 run" if repeats == 1 else f"median of {repeats} runs"
        print(f"{runs} per side, ours and baseline interleaved", flush=True)
        print(HEADER, flush=True)
    for bench in discover():
        if args.names and bench.name not in args.names:
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-{bench.name}-") as work:
            os.environ["DIPSAMPLE_HOME"] = work
            result = measure(bench, Path(work), args.quick, repeats)
        results.append(result)
        if not args.json:
            print(line(result), flush=True)
    if args.json:
        json.dump([r.as_json() for r in results], sys.stdout, indent=2)
        print()
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
