"""Pausing Python's cyclic garbage collector around allocation-heavy stages.

Building or unpickling hundreds of thousands of small dicts, lists and records (the evidence and
subjects of a large organisation, the findings of every probe) triggers the generational collector
again and again, and each pass walks the growing heap: in measurements on a generated organisation
of 1,000 repositories, unpickling the collected output took 0.98 s with the collector on and 0.23 s
with it off. These stages create no reference cycles worth collecting early (records are freed by
reference counting as usual), so the collector is paused for their duration and restored after.
See https://docs.python.org/3/library/gc.html.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
