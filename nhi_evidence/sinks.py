"""Where renderers write files: a folder, with each file's SHA-256 and size taken as it is written.

Large outputs (OSCAL documents of a big organisation) are written in pieces, so a renderer asks
the sink for a binary stream rather than handing over bytes. An audit pack needs every file's hash
for its manifest; hashing while writing avoids reading gigabytes back.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol


class BinaryWriter(Protocol):
    """A stream bytes are written to (a file, ``io.BytesIO``, a hashing wrapper)."""

    def write(self, data: bytes, /) -> int:
        """Write data; return the number of bytes written."""
        ...


class FileSink(Protocol):
    """Something renderers write named files into."""

    def open(self, rel: str) -> AbstractContextManager[BinaryWriter]:
        """A binary stream for the file at rel (a relative POSIX path), closed when the block ends."""
        ...

    def write(self, rel: str, content: bytes) -> None:
        """Write a whole file at rel."""
        ...


class _HashingWriter:
    """A write-only binary stream that hashes and counts what passes through it."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._target.write(data)


@dataclass(frozen=True)
class Written:
    """One file a sink wrote."""

    sha256: str
    """SHA-256 of its bytes (hex)."""
    size: int
    """Its size in bytes."""


@dataclass
class DirectorySink:
    """Writes files under a folder (creating sub-folders) and records each file's hash and size.

    ``check`` is called with each relative path before anything is created (a pack refuses paths
    that would leave it). ``atomic`` writes each file under a temporary name first; a pack, staged
    whole in a temporary folder, does without.
    """

    root: Path
    check: Callable[[str], object] | None = None
    atomic: bool = True
    written: dict[str, Written] = field(default_factory=dict)
    #: Folders known to exist: creating a folder (or asking again) is a system call per file
    #: otherwise, and a pack holds tens of thousands of small evidence files.
    _folders: set[Path] = field(default_factory=set, repr=False)

    def _target(self, rel: str) -> Path:
        if self.check is not None:
            self.check(rel)
        target = self.root / rel
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    @contextmanager
    def open(self, rel: str) -> Iterator[BinaryWriter]:
        """A binary stream for root/rel; its hash and size are recorded when the block ends.

        The bytes go to a temporary file beside the target, renamed to it when the block ends
        normally and removed when it raises: a file is either whole or absent.
        """
        target = self._target(rel)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}") if self.atomic else target
        try:
            with partial.open("wb", buffering=1024 * 1024) as handle:
                writer = _HashingWriter(handle)
                yield writer
            if partial != target:
                os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.written[rel] = Written(writer.digest.hexdigest(), writer.size)

    def write(self, rel: str, content: bytes) -> None:
        """Write a whole file (small files take three system calls: open, write, close)."""
        if self.atomic:
            with self.open(rel) as handle:
                handle.write(content)
            return
        target = self._target(rel)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        self.written[rel] = Written(hashlib.sha256(content).hexdigest(), len(content))


@dataclass
class DeferredSink:
    """Hashes each file as it is given and writes it into ``target`` only on ``flush``.

    A pack's content digest needs the hashes of its evidence copies, not the files themselves:
    tens of thousands of small files whose creation waits on the file system, slowest while the
    pack's large outputs are being written. Hashed first and written after, they delay nothing.
    Paths are checked (``target.check``) when a file is given, so a refused path fails early.
    """

    target: DirectorySink
    written: dict[str, Written] = field(default_factory=dict)
    _pending: list[tuple[str, bytes]] = field(default_factory=list, repr=False)

    @contextmanager
    def open(self, rel: str) -> Iterator[BinaryWriter]:
        """A buffer given as a whole file when the block ends."""
        buffer = io.BytesIO()
        yield buffer
        self.write(rel, buffer.getvalue())

    def write(self, rel: str, content: bytes) -> None:
        """Hash a whole file and keep it for ``flush``."""
        if self.target.check is not None:
            self.target.check(rel)
        self.written[rel] = Written(hashlib.sha256(content).hexdigest(), len(content))
        self._pending.append((rel, content))

    @property
    def pending(self) -> list[tuple[str, bytes]]:
        """The files given and not yet written (relative path, content), in the order given."""
        return self._pending

    def flush(self) -> None:
        """Write every file given so far into the target (and forget their bytes)."""
        pending, self._pending = self._pending, []
        for rel, content in pending:
            self.target.write(rel, content)


@dataclass
class MemorySink:
    """Keeps written files in memory (relative path -> bytes): small outputs and tests."""

    files: dict[str, bytes] = field(default_factory=dict)

    @contextmanager
    def open(self, rel: str) -> Iterator[BinaryWriter]:
        """A buffer whose content is stored under rel when the block ends."""
        buffer = io.BytesIO()
        yield buffer
        self.files[rel] = buffer.getvalue()

    def write(self, rel: str, content: bytes) -> None:
        """Keep a whole file."""
        self.files[rel] = content


@dataclass(frozen=True)
class Part:
    """One independent output (a file or a few), which any process holding the assessment can write."""

    name: str
    """What the part is, for messages: ``assessment.json``, ``pdf``, ``oscal/poam.json``..."""
    cost: float
    """Estimated seconds of work, used only to share parts between processes."""
    write: Callable[[FileSink], None]
    """Writes the part's files into a sink."""
