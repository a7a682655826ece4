"""Reproducible ``.tar.gz`` archives of a pack, and a reader that never writes what it reads.

The writer sorts members by path and normalises every header (mtime from the pack's creation time,
uid/gid 0, no user or group names, mode 0644 for files and 0755 for folders, POSIX ustar/pax
format) and writes the gzip header with mtime 0 and no file name, so the same pack gives the same
bytes. Every member sits under one top folder named after the pack.

The reader treats an archive as hostile: it reads members into memory (never ``extractall``),
refuses absolute names, ``..`` segments, links, devices and FIFOs, and caps the total size.

NOTE: tar header fields: https://www.gnu.org/software/tar/manual/html_node/Standard.html ; gzip
header MTIME 0 means "no time stamp": https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1
"""

from __future__ import annotations

import gzip
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from nhi_evidence.pack.manifest import PackPathError, check_pack_path

#: Largest total size of the regular files read from an archive (a guard against decompression bombs).
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
#: Mode of files and folders in an archive.
FILE_MODE = 0o644
DIR_MODE = 0o755


class ArchiveError(Exception):
    """An archive cannot be read (message fit for the user)."""


def is_archive(path: Path) -> bool:
    """True when path names a file that looks like a pack archive (.tar.gz or .tgz)."""
    return path.is_file() and (path.name.endswith(".tar.gz") or path.name.endswith(".tgz"))


def pack_files(pack_dir: Path) -> list[str]:
    """Relative POSIX paths of the files under pack_dir, sorted (links are listed, never followed).

    As ``os.walk`` lists them: every entry that is not a folder, and no link to a folder. Walked
    with ``os.scandir`` and plain strings: a pack of 10,000 repositories holds some 48,000
    evidence folders, and building a ``Path`` per folder and file tripled the walk's time.
    """
    found: list[str] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        with os.scandir(os.path.join(pack_dir, rel) if rel else pack_dir) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if not entry.is_dir():
                    found.append(name)
                elif not entry.is_symlink():
                    pending.append(name)
    found.sort()
    return found


def write_archive(pack_dir: Path, target: Path, top: str, mtime: int) -> None:
    """Write pack_dir as a reproducible .tar.gz at target, members under the folder ``top``."""
    check_pack_path(top)
    files = pack_files(pack_dir)
    folders = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
    # The tar stream goes straight into gzip (deflate output does not depend on how its input is
    # cut), so a pack of gigabytes is never held in memory.
    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        entries = [(f, True) for f in folders] + [(f, False) for f in files]
        entries.sort(key=lambda item: item[0])
        for rel, is_dir in [("", True), *entries]:
            info = tarfile.TarInfo(f"{top}/{rel}".rstrip("/"))
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if is_dir:
                info.type = tarfile.DIRTYPE
                info.mode = DIR_MODE
                tar.addfile(info)
                continue
            info.mode = FILE_MODE
            with (pack_dir / rel).open("rb") as handle:
                info.size = os.fstat(handle.fileno()).st_size
                tar.addfile(info, handle)


@dataclass
class ArchiveContents:
    """The regular files of an archive, by path relative to its top folder."""

    top: str
    """Top folder name ("" when the members are not under one)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Path -> content."""
    refused: list[str] = field(default_factory=list)
    """Full sentences naming members that were refused (links, devices, hostile names)."""


def read_archive(path: Path) -> ArchiveContents:
    """Read a pack archive safely; raise ArchiveError when it is not a readable tar.gz."""
    members: list[tuple[str, bytes]] = []
    refused: list[str] = []
    total = 0
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                try:
                    check_pack_path(name.rstrip("/") if member.isdir() else name)
                except PackPathError as exc:
                    refused.append(f"Member refused: {exc}.")
                    continue
                if member.isdir():
                    continue
                if not member.isfile():
                    refused.append(f"Member {name!r} refused: it is a link or special file, not a regular file.")
                    continue
                total += member.size
                if total > MAX_ARCHIVE_BYTES:
                    raise ArchiveError(f"{path}: holds more than {MAX_ARCHIVE_BYTES} bytes (refused)")
                handle = tar.extractfile(member)
                if handle is None:
                    refused.append(f"Member {name!r} refused: unreadable.")
                    continue
                members.append((name, handle.read()))
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"{path}: not a readable .tar.gz ({type(exc).__name__})") from None
    tops = {name.split("/", 1)[0] for name, _ in members}
    top = ""
    if len(tops) == 1 and all("/" in name for name, _ in members):
        top = tops.pop()
    contents = ArchiveContents(top=top, refused=refused)
    for name, data in members:
        rel = name.split("/", 1)[1] if top else name
        if rel in contents.files:
            refused.append(f"Member {rel!r} appears twice (refused).")
            continue
        contents.files[rel] = data
    return contents
