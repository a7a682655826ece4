"""Observations and risks that the POA&M repeats from the assessment results, serialised once.

The POA&M is self-contained: it repeats the TEST observations and the risks of the failed probe
findings it plans for (tens of thousands at 10,000 repositories). When both documents are written
by the same process, the assessment results are written first and the bytes of every item the
POA&M will repeat are recorded as they are written (already validated, against a schema
definition that ``stream.same_items`` finds identical to the POA&M's); the POA&M then writes those
bytes instead of building, validating and serialising the same items again. The bytes wait in an
unnamed temporary file, not in memory (hundreds of megabytes at that scale).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from typing import IO, Any

from nhi_evidence.jsonstream import JsonPath, Raw

#: The arrays whose items the POA&M repeats (last step of their path in either document).
REPEATED_ARRAYS = ("observations", "risks")


#: Bits of a recorded item's size in its packed position (one observation or risk: kilobytes).
_SIZE_BITS = 32
_SIZE_MASK = (1 << _SIZE_BITS) - 1


class RepeatedItems:
    """Items recorded by uuid while the assessment results are written, read back for the POA&M."""

    def __init__(self, uuids: Collection[str]) -> None:
        self._wanted = frozenset(uuids)
        # Opened on the first record: documents built but not streamed (tests, ``materialise``) need no file.
        self._file: IO[bytes] | None = None
        # Where each item's bytes start and how many there are, packed into one int (offset << 32 |
        # size): a tuple per item cost 22 MiB at 10,000 repositories (187,000 items), an int 6.
        self._where: dict[str, int] = {}
        self._end = 0
        self._unflushed = False

    def record(self, path: JsonPath, item: Any, data: bytes) -> None:
        """``jsonstream`` on_item hook: keep the bytes of a wanted observation or risk."""
        if path and path[-1] in REPEATED_ARRAYS and type(item) is dict:
            uuid = item.get("uuid")
            if uuid in self._wanted and uuid not in self._where and len(data) <= _SIZE_MASK:
                if self._file is None:
                    self._file = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until close()
                self._file.write(data)
                self._where[uuid] = self._end << _SIZE_BITS | len(data)
                self._end += len(data)
                self._unflushed = True

    def take(self, uuid: str) -> Raw | None:
        """The recorded bytes of an item, or None when it was not recorded (the caller builds it)."""
        where = self._where.get(uuid)
        if where is None or self._file is None:
            return None
        if self._unflushed:
            self._file.flush()
            self._unflushed = False
        return Raw(os.pread(self._file.fileno(), where & _SIZE_MASK, where >> _SIZE_BITS))

    def close(self) -> None:
        """Release the temporary file (later ``take`` calls find nothing)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._where.clear()
