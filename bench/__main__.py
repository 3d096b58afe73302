"""Run every benchmark, print a table, write JSON to bench/results/.

Benchmarks are not tests: they assert nothing about time. Each module in ``BENCHMARKS``
exposes ``run(smoke: bool) -> dict[str, float | int | str]``; ``--smoke`` runs a tiny
version (``make test`` does, so they cannot rot).
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

# Modules under bench/, added as features land.
BENCHMARKS: list[str] = ["contacts_search", "faq", "digest"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny, quick version")
    parser.add_argument("--only", action="append", help="run only these benchmarks")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, object]] = {}
    for name in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        module = importlib.import_module(f"bench.{name}")
        results[name] = module.run(smoke=args.smoke)
        for metric, value in results[name].items():
            print(f"{name:12} {metric:40} {value}")
    if not BENCHMARKS:
        print("no benchmarks yet")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {"machine": platform.platform(), "python": sys.version.split()[0],
               "smoke": args.smoke, "results": results}
    (out / f"bench-{stamp}.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
