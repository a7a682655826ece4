"""Terminal feedback on standard error: progress bars, per-stage timings and the final summary table.

Everything here writes to standard error, never to standard output, so ``--format json > out.json``
stays clean. Progress bars show only when standard error is a terminal and ``--quiet`` is not given;
colour follows rich's rules, which honour ``NO_COLOR`` (https://no-color.org/) and ``TERM=dumb``.
rich's progress display: https://rich.readthedocs.io/en/stable/progress.html
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from nhi_evidence.model import Assessment, Outcome, Severity
from nhi_evidence.summary import framework_summaries, is_accepted

#: Human labels of the pipeline stages reported through the ``progress`` callback.
STAGE_LABELS = {
    "collect": "Collecting repositories",
    "sources": "Reading inventory, logs and GitHub",
    "probe": "Running probes",
    "accept": "Applying risk acceptance",
    "render": "Rendering",
}


def make_console(stream: TextIO | None = None) -> Console:
    """A console on standard error; colour off when NO_COLOR is set (rich also checks it itself)."""
    target = stream if stream is not None else sys.stderr
    console = Console(file=target, no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=False)
    if not console.is_terminal:
        # CI logs are wide; rich's 80-column default for non-terminals would cut framework ids.
        console.width = max(console.width, 120)
    return console


@dataclass
class StageTiming:
    """Wall time and item count of one stage."""

    stage: str
    """Stage name (collect, probe, ...)."""
    started: float
    """time.perf_counter() at the first report."""
    ended: float
    """time.perf_counter() at the last report."""
    total: int = 0
    """Items the stage handled."""

    @property
    def seconds(self) -> float:
        """Elapsed seconds."""
        return self.ended - self.started


@dataclass
class Reporter:
    """The ``progress(stage, done, total)`` callback the pipeline calls, drawing bars when enabled."""

    console: Console
    """Where bars and tables go (standard error)."""
    bars: bool
    """Draw progress bars (standard error is a terminal and not --quiet)."""
    timings: dict[str, StageTiming] = field(default_factory=dict)
    """Per-stage timings, in first-seen order."""
    _progress: Progress | None = None
    _tasks: dict[str, TaskID] = field(default_factory=dict)
    _last: float = field(default_factory=time.perf_counter)

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Record progress of a stage (the pipeline's ``Progress`` hook)."""
        now = time.perf_counter()
        timing = self.timings.get(stage)
        if timing is None:
            # A stage starts when the previous report ended: the first call of a stage arrives after
            # its first item is done, so starting the clock there would lose that item.
            timing = self.timings[stage] = StageTiming(stage, self._last, now)
        timing.ended = now
        timing.total = total
        self._last = now
        if self._progress is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
        self._progress.update(task, completed=done, total=total)

    def mark(self, stage: str, started: float, total: int = 1) -> None:
        """Record a stage timed by the caller (rendering, acceptance)."""
        now = time.perf_counter()
        self.timings[stage] = StageTiming(stage, started, now, total)
        self._last = now

    def timing_table(self) -> Table:
        """Per-stage timings (``--verbose``)."""
        table = Table(title="Timings", title_justify="left", show_edge=False)
        table.add_column("stage")
        table.add_column("items", justify="right")
        table.add_column("seconds", justify="right")
        for timing in self.timings.values():
            table.add_row(STAGE_LABELS.get(timing.stage, timing.stage), str(timing.total), f"{timing.seconds:.3f}")
        return table


@contextmanager
def reporting(quiet: bool, stream: TextIO | None = None) -> Iterator[Reporter]:
    """A Reporter whose bars are live while the block runs (bars only on a terminal, never with quiet)."""
    console = make_console(stream)
    bars = not quiet and console.is_terminal
    reporter = Reporter(console, bars)
    if not bars:
        yield reporter
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        # Standard output carries the requested format; rich must not wrap it.
        redirect_stdout=False,
        redirect_stderr=False,
    )
    reporter._progress = progress
    with progress:
        yield reporter


def summary_table(assessment: Assessment) -> Table:
    """The final summary: controls per framework, failed checks per severity, accepted and errors."""
    table = Table(title="nhi-evidence summary", title_justify="left", show_edge=False)
    table.add_column("framework")
    table.add_column("satisfied", justify="right")
    table.add_column("not satisfied", justify="right")
    table.add_column("not assessed", justify="right")
    table.add_column("n/a", justify="right")
    table.add_column("coverage", justify="right")
    for summary in framework_summaries(assessment):
        table.add_row(
            summary.framework,
            str(summary.satisfied),
            str(summary.not_satisfied),
            str(summary.not_assessed),
            str(summary.not_applicable),
            f"{summary.coverage:.0%}",
        )
    accepted = sum(1 for f in assessment.findings if f.outcome is Outcome.FALSE and is_accepted(f))
    # Failed checks that still count: accepted ones are reported apart.
    counts = Counter(f.severity for f in assessment.findings if f.outcome is Outcome.FALSE and not is_accepted(f))
    failed = ", ".join(f"{counts[s]} {s.value}" for s in reversed(Severity) if counts[s]) or "none"
    table.caption = (
        f"Failed checks: {failed}; accepted: {accepted}; identities: {len(assessment.subjects)}; "
        f"collection errors: {len(assessment.errors)}."
    )
    table.caption_justify = "left"
    return table
