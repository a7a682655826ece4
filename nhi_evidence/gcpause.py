"""Pausing Python's cyclic garbage collector around allocation-heavy stages.

Building or unpickling hundreds of thousands of small dicts, lists and records (the evidence and
subjects of a large organisation, the findings of every probe) triggers the generational collector
again and again, and each pass walks the growing heap: in measurements on a generated organisation
of 1,000 repositories, unpickling the collected output took 0.98 s with the collector on and 0.23 s
with it off. These stages create no reference cycles worth collecting early (records are freed by
reference counting as usual), so the collector is paused for their duration and restored after.
See https://docs.python.org/3/library/gc.html.

Writing a pack is a different case: the reports create reference cycles (the PDF renderer's
layout objects among them), which should be collected as the pack goes on, while the assessment
they read (millions of objects) must not be walked by every full collection. ``frozen_heap`` moves the
objects alive on entry out of the collector's reach (``gc.freeze``) and leaves it running for the
others; a forked child then also leaves their pages alone instead of copying them. Some cycles
still wait for a full collection, which the collector seldom starts: ``release_memory`` runs one
after the PDF report, whose layout leaves the most behind.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Freezes not yet thawed: the heap is thawed only when the last one ends (a pack's children and
#: the pack itself freeze it in turn, and their ends do not nest).
_freezes = 0


def freeze_heap() -> None:
    """Move every object alive now out of the collector's reach until the matching ``thaw_heap``."""
    global _freezes
    _freezes += 1
    gc.freeze()


def thaw_heap() -> None:
    """End one ``freeze_heap``: the collector walks the frozen objects again once none is left."""
    global _freezes
    _freezes -= 1
    if _freezes == 0:
        gc.unfreeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Objects alive on entry are left alone by the collector inside the block (``freeze_heap``)."""
    freeze_heap()
    try:
        yield
    finally:
        thaw_heap()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (re-enabled after only if it was enabled before)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_memory() -> int:
    """Collect reference cycles now and give the freed heap memory back to the system; cycles found.

    Without it, the memory freed stays with the process for its later allocations, and a pack's
    two processes together hold it until the end. Measured at 10,000 repositories after the PDF
    and HTML reports: about 300,000 objects in cycles (the layout's boxes point to their parents),
    the process's resident memory down from 608 to 549 MiB. With the assessment frozen
    (``frozen_heap``) the collection walks only the objects made since.
    """
    found = gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    return found


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc: gives free heap pages back), None where it has none."""
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):  # no such function; no C library handle (Windows)
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function
