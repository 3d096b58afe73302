"""Run every benchmark, print a table, write JSON to bench/results/.

Benchmarks are not tests: they assert nothing about time. Each module in ``BENCHMARKS``
exposes ``run(smoke: bool) -> dict[str, float | int | str]`` and may expose ``TARGETS`` or
``targets()``: ``{"fnmatch pattern of a metric": (operator, value)}``, shown beside the
figures. ``--smoke`` runs a tiny version of each (``make test`` does, so they cannot rot).
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import math
import operator
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bench.machine import describe_machine

# Modules under bench/, in the order of issue 9; features add theirs as they land.
BENCHMARKS: list[str] = [
    "e2e", "scale", "broadcast", "digest", "faq", "footprint", "contacts_search",
]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
Value = float | int | str
Target = tuple[str, float]
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}


def target_for(metric: str, targets: dict[str, Target]) -> Target | None:
    return next((t for pattern, t in targets.items() if fnmatch.fnmatchcase(metric, pattern)),
                None)


def verdict(value: Value, target: Target | None) -> str:
    """``ok``, ``MISSED``, or ``""`` where there is no target (or no number)."""
    if target is None or isinstance(value, str) or (isinstance(value, float)
                                                     and math.isnan(value)):
        return ""
    return "ok" if _OPERATORS[target[0]](value, target[1]) else "MISSED"


def _targets_of(module: ModuleType) -> dict[str, Target]:
    """A module's ``targets()``, or its ``TARGETS``, or none."""
    found = getattr(module, "targets", None)
    return dict(found() if callable(found) else getattr(module, "TARGETS", {}))


def _print_table(name: str, figures: dict[str, Value], targets: dict[str, Target]) -> None:
    print(f"\n{name}")
    width = max((len(metric) for metric in figures), default=0)
    for metric, value in figures.items():
        target = target_for(metric, targets)
        aim = f"{target[0]} {target[1]:g}" if target else ""
        print(f"  {metric:<{width}}  {value!s:>14}  {aim:>8}  {verdict(value, target)}")
    sys.stdout.flush()  # one benchmark's table at a time, while the next one runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny, quick version")
    parser.add_argument("--only", action="append", choices=BENCHMARKS,
                        help="run only these benchmarks (repeatable)")
    args = parser.parse_args(argv)
    machine = describe_machine()
    print(f"machine: {machine['summary']}", flush=True)
    started = datetime.now(UTC)
    results: dict[str, dict[str, Value]] = {}
    targets: dict[str, dict[str, Target]] = {}
    seconds: dict[str, float] = {}
    failed: list[str] = []
    for name in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        clock = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        try:
            results[name] = module.run(smoke=args.smoke)
        except Exception:  # one broken benchmark must not cost the others' figures
            failed.append(name)
            results[name] = {"error": traceback.format_exc().strip().splitlines()[-1]}
            traceback.print_exc()
        seconds[name] = round(time.perf_counter() - clock, 1)
        targets[name] = _targets_of(module)
        _print_table(f"{name} ({seconds[name]} s)", results[name], targets[name])
    missed = [f"{name}: {metric}" for name, figures in results.items()
              for metric, value in figures.items()
              if verdict(value, target_for(metric, targets[name])) == "MISSED"]
    print(f"\n{len(missed)} figure(s) missed their target" + (":" if missed else "."))
    for line in missed:
        print(f"  {line}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"bench-{stamp}{'-smoke' if args.smoke else ''}.json"
    payload = {
        "started": started.isoformat(), "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "smoke": args.smoke, "machine": machine, "seconds": seconds,
        "results": results,
        "targets": {name: {metric: [t[0], t[1]] for metric, t in found.items()}
                    for name, found in targets.items()},
        "missed": missed, "failed": failed,
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
