"""Creating files already hashed from a fresh interpreter, so the process that hashed them can let go.

A pack's evidence copies are hashed by a child forked while the scan holds every record (see
``build.EvidenceCopies``). Reading a record changes its reference count, and the kernel then
copies the page it sits on: at 10,000 repositories that child held about 300 MB of its own,
mostly pages copied from its parent, during the 7-50 s that creating the 37,000 files took.
Once the files are hashed the child needs only their bytes (about 30 MB at that scale). So it
writes them into an unnamed spool file and replaces itself (``exec``) with a fresh interpreter
running this module, which creates the files from the spool and reports to the parent on the
same pipe, as the child would have (``parallel.report``). Same process, same files, a few tens of MB.

Spool records: a 4-byte big-endian length of the UTF-8 relative path, a 4-byte big-endian length
of the content, the path, the content.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import struct
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

from nhi_evidence.sinks import DirectorySink, FileSink, Part, Written

_HEADER = struct.Struct(">II")
#: What the new interpreter runs: its path (``sys.argv[1]``), then ``main`` with the other arguments.
_START = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from nhi_evidence.pack.spool import main; main(sys.argv[2:])"


def write_records(files: Iterable[tuple[str, bytes]], spool: IO[bytes]) -> None:
    """Append (relative path, content) records to spool."""
    for rel, content in files:
        name = rel.encode("utf-8")
        spool.write(_HEADER.pack(len(name), len(content)))
        spool.write(name)
        spool.write(content)


def read_records(spool: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """The records of spool from its current position, one at a time (memory stays flat)."""
    while header := spool.read(_HEADER.size):
        if len(header) != _HEADER.size:
            raise ValueError("spool file truncated in a record header")
        name_size, content_size = _HEADER.unpack(header)
        name = spool.read(name_size)
        content = spool.read(content_size)
        if len(name) != name_size or len(content) != content_size:
            raise ValueError("spool file truncated in a record")
        yield name.decode("utf-8"), content


def hand_over(
    files: Sequence[tuple[str, bytes]], root: Path, send: Connection, result_file: IO[bytes], verbose: bool
) -> None:
    """Replace this process with a fresh interpreter that writes files under root, then reports on send.

    Returns only when the interpreter cannot be started (no ``sys.executable``, exec refused): the
    caller then writes the files itself. The paths must have been checked already (the writer
    creates them as given).
    """
    if not sys.executable:
        return
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the new interpreter, which closes it
    write_records(files, spool)
    spool.flush()
    spool.seek(0)
    descriptors = (spool.fileno(), send.fileno(), result_file.fileno())
    result_file.flush()
    # Isolated (``-I``: no environment variables, user site or current folder on its path), the new
    # interpreter imports from exactly this one's path: an installed package or a source tree alike.
    arguments = [sys.executable, "-I", "-c", _START, json.dumps(sys.path)]
    arguments += [*(str(fd) for fd in descriptors), os.fsdecode(root), str(len(files))]
    if verbose:
        arguments.append("--verbose")
    try:
        for descriptor in descriptors:
            os.set_inheritable(descriptor, True)
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, arguments)  # noqa: S606 - this interpreter, arguments made here
    except OSError:
        for descriptor in descriptors:
            os.set_inheritable(descriptor, False)
        spool.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the fresh interpreter: write the spooled files, report them to the parent."""
    from nhi_evidence.pack import parallel  # this module's importer: loaded only in the writer

    parser = argparse.ArgumentParser(prog="nhi_evidence.pack.spool", description=__doc__)
    parser.add_argument("spool", type=int, help="descriptor of the spool file")
    parser.add_argument("send", type=int, help="descriptor of the pipe to the parent")
    parser.add_argument("result", type=int, help="descriptor of the result file shared with the parent")
    parser.add_argument("root", help="folder the files go under")
    parser.add_argument("files", type=int, help="how many files the spool holds (for the log)")
    parser.add_argument("--verbose", action="store_true", help="log the time taken")
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="    %(message)s", stream=sys.stdout)
    target = DirectorySink(Path(args.root), atomic=False)
    send = Connection(args.send, readable=False)

    def write(sink: FileSink) -> None:
        with os.fdopen(args.spool, "rb") as spool:
            for rel, content in read_records(spool):
                sink.write(rel, content)

    def work() -> dict[str, Written]:
        parallel.timed(Part(f"writing the {args.files} files hashed, in a fresh interpreter", 0.0, write), target)
        return dict(target.written)

    with os.fdopen(args.result, "ab") as result_file:
        parallel.report(send, result_file, "done", parallel.outcome_of(work))
    send.close()
