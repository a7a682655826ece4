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
import pickle
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import IO, Any

from nhi_evidence.gcpause import freeze_heap, thaw_heap
from nhi_evidence.pack import spool
from nhi_evidence.sinks import DeferredSink, DirectorySink, FileSink, Part, Written

LOG = logging.getLogger(__name__)


class PartError(Exception):
    """A part could not be written (message fit for the user); parts raise it for expected failures."""


def share(parts: Sequence[Part], workers: int, loads: Sequence[float] = ()) -> list[list[Part]]:
    """Parts split into ``workers`` lists of balanced estimated cost (largest first, to the lightest list).

    ``loads``: estimated work each list already carries (parts a process must write itself).
    """
    bins: list[list[Part]] = [[] for _ in range(max(1, workers))]
    loads = list(loads) or [0.0] * len(bins)
    if len(loads) != len(bins):
        raise ValueError(f"{len(loads)} loads given for {len(bins)} workers")
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


class Background:
    """Parts written by a forked child while this process goes on with other work (Linux only).

    The child writes into the folder of ``sink``; ``join`` waits for it and returns the hash and
    size of each file it wrote, raising PartError (a part's expected failure, or a child that
    died), OSError (a file that could not be written, as this process would raise it) or
    RuntimeError (a defect, with the child's traceback). Leaving the ``with`` block stops a child
    that was not joined.

    With ``deferred``, the child hashes every file first and writes them after (``DeferredSink``):
    ``hashes`` returns the hash and size of each file as soon as all are hashed, while the files
    are still being written; ``join`` then waits for the files.

    ``prepare`` runs in the child before its parts, never in this process: it may let go of what
    the child's parts do not read (``pack.build.forget_unread``).
    """

    def __init__(
        self,
        parts: Sequence[Part],
        sink: DirectorySink,
        *,
        deferred: bool = False,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self.names = [part.name for part in parts]
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        # Results (a hash per file: megabytes for the evidence copies) go through an unnamed file,
        # the pipe carries only where each one starts: a result larger than the pipe's buffer would
        # keep the child, and the pages it copied, alive until this process reads it.
        self._result = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._done: tuple[str, Any] | None = None
        # Objects created before the fork are left alone by the collector in both processes, so their
        # pages stay shared instead of being copied when a collection touches them.
        freeze_heap()
        self._child = context.Process(
            target=_child,
            args=(list(parts), sink.root, sink.check, send, self._result, deferred, prepare),
            name="nhi-evidence-pack",
        )
        self._child.start()
        send.close()

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._child.pid

    def _next(self) -> tuple[str, tuple[str, Any]]:
        """The next (kind, result) the child sent; PartError when it died first."""
        try:
            kind, offset = self._receive.recv()
        except EOFError:
            self.close()
            raise PartError(
                f"the process writing {', '.join(self.names)} stopped (exit code {self._child.exitcode})"
            ) from None
        self._result.seek(offset)
        result: tuple[str, Any] = pickle.load(self._result)  # noqa: S301 - an unnamed file only our own child wrote
        return kind, result

    def hashes(self) -> dict[str, Written]:
        """A deferred child's files with their hashes, once hashed (the files may not be written yet)."""
        if self._done is not None:
            return _outcome(self._done)
        kind, result = self._next()
        if kind == "done":
            self._done = result
            self.close()
        return _outcome(result)

    def join(self) -> dict[str, Written]:
        """Wait for the child; the files it wrote."""
        try:
            while self._done is None:
                kind, result = self._next()
                if kind == "done":
                    self._done = result
        finally:
            self.close()
        return _outcome(self._done)

    def close(self) -> None:
        """Stop the child if it still runs (idempotent)."""
        if self._receive.closed:
            return
        self._receive.close()
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._result.close()
        thaw_heap()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _outcome(result: tuple[str, Any]) -> dict[str, Written]:
    """The files of a child's result, or the failure it reports raised here."""
    status, payload = result
    if status == "error":
        raise PartError(str(payload))
    if status == "oserror":
        raise OSError(*payload)
    if status == "crash":
        raise RuntimeError(f"the pack's second process failed:\n{payload}")
    written: dict[str, Written] = payload
    return written


def timed(part: Part, sink: FileSink) -> None:
    """Write a part, logging its wall and CPU time (``bench/scan_bench.py`` prints them).

    Both are logged because the processes of a pack may outnumber the CPUs for a while (the
    evidence copies started during the scan): a part's wall time then grows, its CPU time does not.
    """
    start, cpu = time.perf_counter(), time.process_time()
    part.write(sink)
    LOG.debug(
        "pack part %s: %.2f s (CPU %.2f s, estimated %.2f s) in process %d",
        part.name,
        time.perf_counter() - start,
        time.process_time() - cpu,
        part.cost,
        os.getpid(),
    )


def report(send: Connection, result_file: IO[bytes], kind: str, result: tuple[str, Any]) -> None:
    """Send a child's result to the parent: pickled at the end of the shared result file, its offset on the pipe."""
    offset = result_file.seek(0, os.SEEK_END)
    pickle.dump(result, result_file)
    result_file.flush()
    # A small message: it fits the pipe's buffer, so the child goes on (or exits) at once.
    send.send((kind, offset))


def outcome_of(work: Callable[[], dict[str, Written]]) -> tuple[str, Any]:
    """The result of a child's work as ``_outcome`` reads it: the files written, or what went wrong."""
    try:
        return ("ok", work())
    except PartError as exc:
        return ("error", str(exc))
    except OSError as exc:
        # Raised again in the parent as the same error, as if it had written the file itself.
        return ("oserror", (exc.errno, exc.strerror or str(exc), exc.filename))
    except Exception:  # noqa: BLE001 - a defect: its traceback goes to the parent, which raises
        return ("crash", traceback.format_exc())


def _child(
    parts: Sequence[Part],
    root: Any,
    check: Callable[[str], object] | None,
    send: Connection,
    result_file: IO[bytes],
    deferred: bool,
    prepare: Callable[[], None] | None = None,
) -> None:
    gc.disable()
    target = DirectorySink(root, check=check, atomic=False)
    sink = DeferredSink(target) if deferred else target

    def work() -> dict[str, Written]:
        if prepare is not None:
            prepare()
        for part in parts:
            timed(part, sink)
        if isinstance(sink, DeferredSink):
            report(send, result_file, "hashed", ("ok", dict(sink.written)))
            # A fresh interpreter writes the files and reports them (``spool``); this returns only
            # when none can be started, and this process writes them.
            spool.hand_over(sink.pending, root, send, result_file, LOG.isEnabledFor(logging.DEBUG))
            deferred_sink = sink
            timed(Part(f"writing the {len(sink.written)} files hashed", 0.0, lambda _: deferred_sink.flush()), target)
        # The files as the target wrote and hashed them: for a deferred sink, ``join`` returns what
        # reached the disk, to be compared with what ``hashes`` returned.
        return dict(target.written)

    report(send, result_file, "done", outcome_of(work))
    send.close()
