"""The one benchmark runner.

Prints, per benchmark, the median of our runs and of the baseline's runs (measured in
the same run, interleaved; see :mod:`benchmarks.core`), their ratio, the target and
the number of runs. ``--json`` prints a list of objects with ``name``, ``ours_s`` and
``baseline_s`` (medians), ``ours_min_s``/``ours_max_s``, ``baseline_min_s``/
``baseline_max_s``, ``ratio``, ``target``, ``ok``, ``repeats`` and ``gc`` ("paused"
when ours paused the cyclic GC and the baseline was timed the same way). Exit code 1
when a ratio misses its target, so a person sees it; tests never assert timings
(shared, noisy machines).

A benchmark that fails (a window that did not open by its deadline, a side that did not
do its work) is one line, ``NAME  FAILED  why`` (in JSON an object with ``ok`` false and
``error``); the others still run, and the exit code is 1. Each benchmark runs under the
benchmarks' own passphrase and home (:func:`benchmarks.stores.benchmark_environment`),
whatever the environment holds.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import benchmarks
from benchmarks.core import Benchmark, Result, default_repeats, measure
from benchmarks.stores import benchmark_environment

HEADER = (f"{'benchmark':<30} {'ours':>9} {'baseline':>9} {'ratio':>7} {'target':>9}"
          f"  {'result':<6} {'runs':>4}  gc")


def discover() -> list[Benchmark]:
    found: list[Benchmark] = []
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            found.extend(module.BENCHMARKS)
    return found


@dataclass(frozen=True)
class Failure:
    """A benchmark that stopped with an error instead of a result."""

    name: str
    reason: str

    ok = False

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": False, "error": self.reason}


def attempt(bench: Benchmark, quick: bool, repeats: int) -> Result | Failure:
    """Run one benchmark in a folder and environment of its own; a failure as a
    :class:`Failure` whose reason is the error's first line."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{bench.name}-") as work, \
            benchmark_environment(Path(work)):
        try:
            return measure(bench, Path(work), quick, repeats)
        except Exception as exc:  # one line, then the next benchmark
            first = (str(exc).strip().splitlines() or [""])[0]
            return Failure(bench.name, f"{type(exc).__name__}: {first}" if first
                           else type(exc).__name__)


def line(result: Result | Failure) -> str:
    """One row under :data:`HEADER`; times are medians in seconds."""
    if isinstance(result, Failure):
        return f"{result.name:<30} FAILED  {result.reason}"
    unit = result.unit if len(result.unit) == 1 else result.unit[0]
    return (f"{result.name:<30} {result.ours.median:8.3f}{unit} "
            f"{result.baseline.median:8.3f}{unit} "
            f"{result.ratio:7.2f} {'<= ' + format(result.target, 'g'):>9}  "
            f"{'ok' if result.ok else 'MISSED':<6} {result.repeats:>4}  "
            f"{'paused' if result.gc_paused else 'enabled'}")


def main(argv: list[str] | None = None) -> int:
    found = discover()
    names = [b.name for b in found]
    listing = "\n".join(f"  {b.name:<34} {b.description}" for b in found)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time each benchmark against its baseline, measured in the same run.",
        epilog=f"benchmarks (all of them when none is named):\n{listing}")
    parser.add_argument("--quick", action="store_true", help="small data, for a smoke run")
    parser.add_argument("--json", action="store_true",
                        help="print the results as a JSON list instead of a table")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs of each side (default: 5, or 3 with --quick)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="run only these benchmarks (listed below)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in names]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; "
                     "python -m benchmarks --help lists them")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    chosen = [b for b in found if not args.names or b.name in args.names]
    return run(chosen, quick=args.quick, repeats=args.repeats or default_repeats(args.quick),
               as_json=args.json)


def run(chosen: list[Benchmark], *, quick: bool, repeats: int, as_json: bool) -> int:
    """Run ``chosen`` in turn, printing each line as it is done; the exit code."""
    results: list[Result | Failure] = []
    if not as_json:
        runs = "1 run" if repeats == 1 else f"median of {repeats} runs"
        print(f"{runs} per side, ours and baseline interleaved", flush=True)
        print(HEADER, flush=True)
    for bench in chosen:
        result = attempt(bench, quick, repeats)
        results.append(result)
        if not as_json:
            print(line(result), flush=True)
    if as_json:
        json.dump([r.as_json() for r in results], sys.stdout, indent=2)
        print()
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
