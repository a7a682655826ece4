"""Safe, read-only access to the files of one repository.

Collectors never open files themselves: they ask a ``RepoView`` for a path relative to the
repository. The filesystem view refuses what a scanner must not follow or read: symbolic links that
leave the scanned root, FIFOs and device files (which would block or never end), files larger than
the size cap, and unreadable folders. A git view (reading a commit's objects) implements the same
interface, so every collector works on a working tree and on a release tag alike.
"""

from __future__ import annotations

import errno
import os
import stat
from abc import ABC, abstractmethod
from pathlib import Path

#: Default largest file read, in bytes. Assistant configs are small; anything larger is skipped.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


class SourceSkipped(Exception):
    """The file exists but is deliberately not read (symlink out of root, FIFO, too large...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceUnreadable(Exception):
    """The file exists but could not be read (permission denied, I/O error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RepoView(ABC):
    """Read-only view of one repository's files, by POSIX path relative to the repository."""

    #: Repository folder relative to the scanned root ("" when the root is the repository).
    repo: str
    #: Label of the scanned root, prefixed to displayed paths when several roots are scanned.
    root_label: str = ""

    @property
    def display_repo(self) -> str:
        """The repository folder as shown in output (with the root label when there is one)."""
        return "/".join(part for part in (self.root_label, self.repo) if part)

    def display(self, relpath: str) -> str:
        """Path of a file relative to the scanned root, for output."""
        return "/".join(part for part in (self.display_repo, relpath) if part)

    @abstractmethod
    def exists(self, relpath: str) -> bool:
        """True when relpath names an entry (file, folder or link) in the repository."""

    @abstractmethod
    def is_dir(self, relpath: str) -> bool:
        """True when relpath is a folder that may be listed."""

    @abstractmethod
    def list_dir(self, relpath: str) -> list[str]:
        """Names in a folder, sorted; [] when it is absent. Raises SourceUnreadable or SourceSkipped."""

    @abstractmethod
    def read(self, relpath: str) -> bytes:
        """The file's bytes. Raises FileNotFoundError, SourceSkipped or SourceUnreadable."""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


class FsRepoView(RepoView):
    """A repository in the working tree, confined to the scanned root."""

    def __init__(self, scan_root: Path, repo: str, max_bytes: int = DEFAULT_MAX_BYTES, root_label: str = "") -> None:
        self.scan_root = scan_root.resolve()
        self.repo = repo
        self.root_label = root_label
        self.base = self.scan_root / repo if repo else self.scan_root
        self.max_bytes = max_bytes
        # Collectors ask for dozens of well-known paths per repository and most are absent. One
        # listing per folder (cached for the life of the view) answers "absent" and "no symbolic
        # link on the way" without a system call per question; anything unusual (a link, "..", an
        # unlistable folder) takes the full checks below. The base must itself be link-free for the
        # short cut: discovery never follows links, but a caller may build a view on any folder.
        self._listings: dict[str, dict[str, os.DirEntry[str]] | None] = {}
        self._plain_base = os.path.realpath(self.base) == str(self.base)

    def _listing(self, folder: str) -> dict[str, os.DirEntry[str]] | None:
        """Entries of a folder (relative to the repository), or None when it cannot be listed."""
        if folder in self._listings:
            return self._listings[folder]
        entries: dict[str, os.DirEntry[str]] | None
        try:
            with os.scandir(self.base / folder if folder else self.base) as iterator:
                entries = {entry.name: entry for entry in iterator}
        except OSError:
            entries = None
        self._listings[folder] = entries
        return entries

    def _lookup(self, relpath: str) -> tuple[str, os.DirEntry[str] | None]:
        """Classify relpath from cached listings: ("absent", None), ("plain", entry) or ("other", None).

        "plain" means every component exists and none is a symbolic link, so the path is its own
        real path and lies inside the scanned root. "other" sends the caller to the full checks.
        """
        parts = [part for part in relpath.split("/") if part not in ("", ".")]
        if not self._plain_base or not parts or ".." in parts:
            return "other", None
        folder = ""
        entry: os.DirEntry[str] | None = None
        for index, part in enumerate(parts):
            listing = self._listing(folder)
            if listing is None:
                return "other", None
            entry = listing.get(part)
            if entry is None:
                return "absent", None
            try:
                if entry.is_symlink() or (index < len(parts) - 1 and not entry.is_dir(follow_symlinks=False)):
                    return "other", None
            except OSError:
                return "other", None
            folder = f"{folder}/{part}" if folder else part
        return "plain", entry

    def _resolve(self, relpath: str) -> Path:
        """Map relpath to a real path, refusing links that leave the scanned root."""
        candidate = self.base / relpath
        try:
            real = candidate.resolve(strict=False)
        except (OSError, RuntimeError):
            # RuntimeError: symlink loop on some Python versions.
            raise SourceSkipped("it is a symbolic link loop") from None
        if not _inside(real, self.scan_root):
            raise SourceSkipped("it is a symbolic link that leaves the scanned root (not followed)")
        return real

    def exists(self, relpath: str) -> bool:
        kind, _ = self._lookup(relpath)
        if kind != "other":
            return kind == "plain"
        return os.path.lexists(self.base / relpath)

    def is_dir(self, relpath: str) -> bool:
        kind, entry = self._lookup(relpath)
        if kind == "absent":
            return False
        if kind == "plain" and entry is not None:
            try:
                return entry.is_dir(follow_symlinks=False)
            except OSError:
                return False
        try:
            real = self._resolve(relpath)
        except SourceSkipped:
            return False
        return real.is_dir()

    def list_dir(self, relpath: str) -> list[str]:
        kind, _ = self._lookup(relpath)
        if kind == "absent":
            return []
        path = self.base / relpath
        if kind == "other" and not os.path.lexists(path):
            return []
        real = path if kind == "plain" else self._resolve(relpath)
        try:
            return sorted(os.listdir(real))
        except PermissionError:
            raise SourceUnreadable("permission denied") from None
        except NotADirectoryError:
            return []
        except OSError as exc:
            raise SourceUnreadable(os.strerror(exc.errno or errno.EIO)) from None

    def read(self, relpath: str) -> bytes:
        kind, _ = self._lookup(relpath)
        if kind == "absent":
            raise FileNotFoundError(relpath)
        path = self.base / relpath
        if kind == "other" and not os.path.lexists(path):
            raise FileNotFoundError(relpath)
        real = path if kind == "plain" else self._resolve(relpath)
        try:
            st = os.stat(real)
        except FileNotFoundError:
            raise SourceSkipped("it is a dangling symbolic link") from None
        except PermissionError:
            raise SourceUnreadable("permission denied") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise SourceSkipped("it is a symbolic link loop") from None
            raise SourceUnreadable(os.strerror(exc.errno or errno.EIO)) from None
        if stat.S_ISDIR(st.st_mode):
            raise SourceSkipped("it is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise SourceSkipped("it is not a regular file (FIFO, socket or device)")
        if st.st_size > self.max_bytes:
            raise SourceSkipped(f"it is larger than the size cap ({st.st_size} > {self.max_bytes} bytes)")
        try:
            # O_NONBLOCK: a file swapped for a FIFO after the stat above must not block the scan.
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except PermissionError:
            raise SourceUnreadable("permission denied") from None
        except OSError as exc:
            raise SourceUnreadable(os.strerror(exc.errno or errno.EIO)) from None
        try:
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError as exc:
            raise SourceUnreadable(os.strerror(exc.errno or errno.EIO)) from None
        if len(data) > self.max_bytes:
            raise SourceSkipped(f"it is larger than the size cap ({self.max_bytes} bytes)")
        return data
