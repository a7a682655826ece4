"""Writing the parts of a pack in two processes.

A pack of a large organisation is a dozen independent outputs (the JSON contract, the evidence
copies, each report format, each OSCAL document), several taking tens of seconds. With more than
one CPU the parts are shared between this process and one forked child, which inherits the
assessment without copying or pickling it and writes its files into the same staging folder; it
sends back only the hash and size of each file it wrote. Parts go to whichever process has the
least estimated work so far, largest first (``Part.cost``); the files written do not depend on
which process writes them.

Elsewhere than Linux, or with one CPU, every part runs here in order.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from nhi_evidence.sinks import DirectorySink, FileSink, Part, Written

LOG = logging.getLogger(__name__)


class PartError(Exception):
    """A part could not be written (message fit for the user); parts raise it for expected failures."""


def share(parts: Sequence[Part], workers: int) -> list[list[Part]]:
    """Parts split into ``workers`` lists of balanced estimated cost (largest first, to the lightest list)."""
    bins: list[list[Part]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(bins)
    for part in sorted(parts, key=lambda p: (-p.cost, p.name)):
        lightest = loads.index(min(loads))
        bins[lightest].append(part)
        loads[lightest] += part.cost
    return bins


def can_fork() -> bool:
    """Whether a child process can be forked here: Linux only.

    macOS offers ``fork`` but system libraries loaded by the PDF renderer (CoreText, Objective-C)
    are not safe to use in a forked child, which is why Python defaults to ``spawn`` there.
    """
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def run(parts: Sequence[Part], sink: DirectorySink, workers: int) -> None:
    """Write every part into sink, sharing them with one forked child when workers > 1.

    The child's files are added to ``sink.written`` as if this process had written them. A
    PartError of a part is raised here whichever process met it; any other exception in the child
    (a defect) is raised here as a RuntimeError carrying the child's traceback.
    """
    if workers <= 1 or len(parts) < 2 or not can_fork():
        for part in parts:
            _timed(part, sink)
        return
    mine, theirs = share(parts, 2)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # Objects created before the fork are left alone by the collector in both processes, so their
    # pages stay shared instead of being copied when a collection touches them.
    gc.freeze()
    child = context.Process(target=_child, args=(theirs, sink.root, sink.check, send), name="nhi-evidence-pack")
    child.start()
    send.close()
    try:
        for part in mine:
            _timed(part, sink)
        try:
            status, payload = receive.recv()
        except EOFError:
            child.join()
            raise PartError(
                f"the process writing {', '.join(p.name for p in theirs)} stopped (exit code {child.exitcode})"
            ) from None
        if status == "error":
            raise PartError(str(payload))
        if status == "crash":
            raise RuntimeError(f"the pack's second process failed:\n{payload}")
        sink.written.update(payload)
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()
        gc.unfreeze()


def _timed(part: Part, sink: FileSink) -> None:
    """Write a part, logging how long it took (``bench/scan_bench.py`` prints it)."""
    start = time.perf_counter()
    part.write(sink)
    LOG.debug(
        "pack part %s: %.2f s (estimated %.2f s) in process %d",
        part.name,
        time.perf_counter() - start,
        part.cost,
        os.getpid(),
    )


def _child(
    parts: Sequence[Part],
    root: Any,
    check: Callable[[str], object] | None,
    send: Connection,
) -> None:
    gc.disable()
    sink = DirectorySink(root, check=check, atomic=False)
    result: tuple[str, Any]
    try:
        for part in parts:
            _timed(part, sink)
        written: dict[str, Written] = dict(sink.written)
        result = ("ok", written)
    except PartError as exc:
        result = ("error", str(exc))
    except Exception:  # noqa: BLE001 - a defect: its traceback goes to the parent, which raises
        result = ("crash", traceback.format_exc())
    send.send(result)
    send.close()
