"""Small helpers to time stages and read peak memory."""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Folder under which benchmarks write their outputs (default: the system's temporary folder).
OUT_VARIABLE = "NHI_EVIDENCE_BENCH_OUT"
#: Set (by ``bench.run``) when the caller removes the outputs itself, after its last benchmark.
DEFER_REMOVAL_VARIABLE = "NHI_EVIDENCE_BENCH_DEFER_REMOVAL"


def reference_loop_seconds(repeat: int = 3) -> float:
    """CPU seconds of a fixed pure-Python loop, the fastest of ``repeat`` runs.

    The same work on every run: on a shared machine the CPU time of identical work was seen to vary
    by half from one minute to the next, so each benchmark prints this figure beside its own and
    runs are comparable only when their reference figures are close.
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        total = 0
        for number in range(5_000_000):
            total += number
        best = min(best, time.process_time() - start)
    return best


@contextmanager
def output_folder() -> Iterator[Path]:
    """A folder for one benchmark's outputs, removed after its last timed run, never between two.

    Removing a pack (37,000 files in 30,000 folders at N = 10,000) on a file system mounted with
    online ``discard``, as this project's machine is, slows the creation of files for a minute or
    more afterwards: the same 37,039 evidence files took 3.0-3.5 s of system time with nothing
    removed before, 14.5-14.8 s within 30 s of removing an earlier copy, 3.5 s again 90 s later.
    A benchmark that removed one pack before timing the next measured the removal as well. Under
    ``make bench`` (``DEFER_REMOVAL_VARIABLE`` set) the folder is left to ``bench.run``, which
    removes every benchmark's outputs after the last one.
    """
    folder = Path(tempfile.mkdtemp(prefix="nhi-evidence-bench-", dir=os.environ.get(OUT_VARIABLE) or None))
    try:
        yield folder
    finally:
        if not os.environ.get(DEFER_REMOVAL_VARIABLE):
            shutil.rmtree(folder, ignore_errors=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MiB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall time of a block under name."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = time.perf_counter() - start


def _pss_kib(pid: int) -> int:
    """Proportional set size of a process in KiB (shared pages divided among the processes sharing them)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            children = [int(x) for x in handle.read().split()]
    except OSError:
        return found
    for child in children:
        found.append(child)
        found.extend(_descendants(child))
    return found


class MemorySampler:
    """Samples the total memory of this process and its children while a block runs.

    ``ru_maxrss`` of a forked child counts every page it shares with its parent, so adding the
    peaks of parent and child counts shared pages twice. The proportional set size (PSS) splits
    each shared page among the processes mapping it: the sum over the process tree is the memory
    the tree really occupies. Sampled from /proc (Linux only; elsewhere the peak stays 0).

    Reading PSS is not free: the kernel walks the page tables of each process, about 50 ms of CPU
    for a 2.5 GB process, while the processes measured compete for the same two CPUs. Sampling
    every 0.5 s took some 5 s of CPU from a 90 s pack of 10,000 repositories, so the wait between
    samples grows with their cost: at most ``budget`` of one CPU goes to sampling, and never less
    often than every ``interval`` seconds while sampling is cheap.
    """

    def __init__(self, interval: float = 0.5, budget: float = 0.02, pid: int | None = None) -> None:
        self.pid = pid
        """Root of the process tree measured (default: this process)."""
        self.interval = interval
        self.budget = budget
        self.peak_mib = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        root = self.pid or os.getpid()
        while not self._stop.is_set():
            started = time.thread_time()
            total = sum(_pss_kib(pid) for pid in [root, *_descendants(root)])
            self.peak_mib = max(self.peak_mib, total / 1024)
            self.samples += 1
            cost = time.thread_time() - started
            self._stop.wait(max(self.interval, cost / self.budget))

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
