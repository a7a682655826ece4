"""``make bench``: run every benchmark in its own process (so peak memory is its own) and print figures.

Set NHI_EVIDENCE_BENCH_QUICK=1 for a quick pass with small sizes.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time

from bench.measure import DEFER_REMOVAL_VARIABLE, OUT_VARIABLE, output_folder

QUICK = bool(os.environ.get("NHI_EVIDENCE_BENCH_QUICK"))

BENCHMARKS: list[tuple[str, list[str]]] = [
    ("bench.scan_bench", ["200" if QUICK else "1000"]),
    ("bench.scan_bench", ["500" if QUICK else "10000"]),
    ("bench.auditlog_bench", ["100000" if QUICK else "1000000"]),
    ("bench.oscal_bench", ["10000" if QUICK else "100000"]),
    ("bench.report_bench", ["--subjects", "1000" if QUICK else "10000", "--findings", "5000" if QUICK else "50000"]),
    ("bench.secretscan_bench", ["2" if QUICK else "20"]),
]


def main() -> int:
    """Run the benchmarks that exist; returns the exit code."""
    failures = 0
    # Every benchmark's outputs stay until the last one has run: removing thousands of files just
    # before a timed run slows that run's own file creation (``bench.measure.output_folder``).
    with output_folder() as outputs:
        environment = {**os.environ, OUT_VARIABLE: str(outputs), DEFER_REMOVAL_VARIABLE: "1"}
        for module, args in BENCHMARKS:
            if importlib.util.find_spec(module) is None:
                print(f"== {module}: not present")
                continue
            print(f"== {module} {' '.join(args)}", flush=True)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", module, *args], check=False, env=environment)
            print(f"   ({time.perf_counter() - start:.1f} s wall, exit {done.returncode})", flush=True)
            failures += done.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
