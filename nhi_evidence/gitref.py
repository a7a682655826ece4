"""Reading a repository as it was at a commit, tag or branch, straight from git objects.

``GitTree`` lists the tree of one commit once (``git ls-tree -r -t -l -z``) and reads blobs through
one long-lived ``git cat-file --batch`` process; ``GitRefView`` implements ``files.RepoView`` over it,
so every repository collector works unchanged on a release tag. Nothing is checked out: the working
tree and the index are never touched. Every ``git`` call has a fixed argument list; the ref is
resolved with ``rev-parse --verify --end-of-options`` so a ref cannot be taken for an option.

A PATH inside a repository (a folder of repositories committed in a monorepo, such as
``examples/acme``) is read at the ref as the subtree under that folder, and repositories are found
in it the way ``discovery`` finds them on disk (a folder holding a collector's marker path).
Symbolic links inside the tree are followed when they stay inside the scanned folder, as on disk.

NOTE: ``ls-tree -z`` output is ``<mode> SP <type> SP <object> SP <size> TAB <path> NUL``, and
``cat-file --batch`` answers ``<oid> SP <type> SP <size> LF <contents> LF``:
https://git-scm.com/docs/git-ls-tree#_output_format and https://git-scm.com/docs/git-cat-file#_batch_output
"""

from __future__ import annotations

import dataclasses
import posixpath
import subprocess
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from nhi_evidence.files import DEFAULT_MAX_BYTES, RepoView, SourceSkipped, SourceUnreadable

if TYPE_CHECKING:
    from nhi_evidence.pipeline import ScanRequest

#: Longest time a single git metadata command may take.
GIT_TIMEOUT = 120
#: Symbolic links followed in a row before giving up (a loop).
MAX_LINK_HOPS = 8
_SYMLINK_MODE = "120000"


class GitRefError(Exception):
    """A path is not in a git repository or a ref does not resolve (message fit for the user)."""


@dataclass(frozen=True)
class TreeEntry:
    """One entry of the tree at the ref."""

    mode: str
    """Git file mode (100644, 100755, 120000 link, 040000 tree, 160000 submodule)."""
    type: str
    """blob, tree or commit (a submodule)."""
    oid: str
    """Object id."""
    size: int
    """Blob size in bytes (0 for trees and submodules)."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitRefError("git is not installed (needed for --ref)") from None
    except subprocess.TimeoutExpired:
        raise GitRefError(f"git {args[0]} took longer than {GIT_TIMEOUT} s in {cwd}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitRefError(f"{cwd}: git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout.decode("utf-8", "surrogateescape")


class GitTree:
    """The tree of one commit under one folder, with blob reads through ``git cat-file --batch``."""

    def __init__(self, path: Path, ref: str) -> None:
        if not ref or ref.startswith("-") or any(ch in ref for ch in "\0\n"):
            raise GitRefError(f"{ref!r} is not a valid git ref")
        if not path.is_dir():
            raise GitRefError(f"{path}: not a folder")
        try:
            self.toplevel = Path(_git(path, "rev-parse", "--show-toplevel").strip())
        except GitRefError:
            raise GitRefError(f"{path}: not inside a git repository (--ref reads git objects)") from None
        self.prefix = _git(path, "rev-parse", "--show-prefix").strip().strip("/")
        self.ref = ref
        try:
            self.commit = _git(
                self.toplevel, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
            ).strip()
        except GitRefError:
            raise GitRefError(f"{path}: no commit, tag or branch named {ref!r}") from None
        self.entries: dict[str, TreeEntry] = {}
        self.children: dict[str, list[str]] = {"": []}
        self._load()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, GitTree._stop, [None])

    def _load(self) -> None:
        listing = _git(self.toplevel, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", self.commit)
        base = f"{self.prefix}/" if self.prefix else ""
        for record in listing.split("\0"):
            if not record:
                continue
            meta, _, full = record.partition("\t")
            if base and not full.startswith(base):
                continue
            mode, kind, oid, size = meta.split(maxsplit=3)
            rel = full[len(base) :]
            self.entries[rel] = TreeEntry(mode, kind, oid, int(size) if size.strip().isdigit() else 0)
            parent, _, name = rel.rpartition("/")
            self.children.setdefault(parent, []).append(name)
            if kind == "tree":
                self.children.setdefault(rel, [])
        if base and not self.entries:
            raise GitRefError(f"{self.prefix} does not exist at {self.ref}")
        for names in self.children.values():
            names.sort()

    @staticmethod
    def _stop(holder: list[subprocess.Popen[bytes] | None]) -> None:
        proc = holder[0]
        if proc is not None and proc.poll() is None:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=10)

    def close(self) -> None:
        """Stop the ``cat-file`` process."""
        if self._proc is not None:
            GitTree._stop([self._proc])
            self._proc = None

    def read_blob(self, oid: str) -> bytes:
        """The content of one blob."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    ["git", "-C", str(self.toplevel), "cat-file", "--batch"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
                self._finalizer.detach()
                self._finalizer = weakref.finalize(self, GitTree._stop, [self._proc])
            stdin: IO[bytes] | None = self._proc.stdin
            stdout: IO[bytes] | None = self._proc.stdout
            assert stdin is not None
            assert stdout is not None
            stdin.write(oid.encode("ascii") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise SourceUnreadable("the git object could not be read")
            size = int(header[2])
            data = stdout.read(size)
            stdout.read(1)
            return data

    def is_repository(self, folder: str, markers: Sequence[str]) -> bool:
        """True when folder (relative to the scanned folder) is a repository: the git top level or a marker present."""
        if folder == "" and self.prefix == "":
            return True
        base = f"{folder}/" if folder else ""
        return any(f"{base}{m.rstrip('/')}" in self.entries for m in markers)

    def find_repositories(self, markers: Iterable[str], max_depth: int = 6) -> list[str]:
        """Repository folders under the scanned folder at the ref (breadth-first, as ``discovery`` does on disk)."""
        from nhi_evidence.discovery import PRUNED

        markers = tuple(markers)
        found: list[str] = []
        queue: list[tuple[str, int]] = [("", 0)]
        while queue:
            folder, depth = queue.pop(0)
            if self.is_repository(folder, markers):
                found.append(folder)
                continue
            if depth >= max_depth:
                continue
            for name in self.children.get(folder, []):
                rel = f"{folder}/{name}" if folder else name
                entry = self.entries.get(rel)
                if entry and entry.type == "tree" and name not in PRUNED and name != ".git":
                    queue.append((rel, depth + 1))
        return sorted(found)


def _clean(relpath: str) -> str:
    path = posixpath.normpath(relpath.strip("/")) if relpath.strip("/") else ""
    return "" if path == "." else path


class GitRefView(RepoView):
    """One repository of a ``GitTree``: the ``RepoView`` collectors read at a git ref."""

    def __init__(self, tree: GitTree, repo: str, max_bytes: int = DEFAULT_MAX_BYTES, root_label: str = "") -> None:
        self.tree = tree
        self.repo = repo
        self.root_label = root_label
        self.max_bytes = max_bytes

    def _full(self, relpath: str) -> str:
        rel = _clean(relpath)
        if rel.startswith(".."):
            raise SourceSkipped("it leaves the scanned root")
        return "/".join(p for p in (self.repo, rel) if p)

    def _resolve(self, full: str) -> tuple[str, TreeEntry | None]:
        """Follow symbolic links inside the scanned folder; refuse those that leave it."""
        for _ in range(MAX_LINK_HOPS):
            # A link in a parent folder is followed as well: resolve each leading component.
            parts = full.split("/") if full else []
            for index in range(len(parts)):
                head = "/".join(parts[: index + 1])
                entry = self.tree.entries.get(head)
                if entry is None or entry.mode != _SYMLINK_MODE:
                    continue
                target = self.tree.read_blob(entry.oid).decode("utf-8", "surrogateescape")
                if target.startswith("/"):
                    raise SourceSkipped("it is a symbolic link that leaves the scanned root (not followed)")
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(head), target, *parts[index + 1 :]))
                if joined == ".." or joined.startswith("../"):
                    raise SourceSkipped("it is a symbolic link that leaves the scanned root (not followed)")
                full = "" if joined == "." else joined
                break
            else:
                return full, self.tree.entries.get(full)
        raise SourceSkipped("it is a symbolic link loop")

    def exists(self, relpath: str) -> bool:
        try:
            full = self._full(relpath)
            if full == "" or full in self.tree.entries:
                return True
            return self._resolve(full)[1] is not None
        except SourceSkipped:
            return False

    def is_dir(self, relpath: str) -> bool:
        try:
            full, entry = self._resolve(self._full(relpath))
        except SourceSkipped:
            return False
        return full == "" or (entry is not None and entry.type == "tree")

    def list_dir(self, relpath: str) -> list[str]:
        full, entry = self._resolve(self._full(relpath))
        if full and (entry is None or entry.type != "tree"):
            return []
        return list(self.tree.children.get(full, []))

    def read(self, relpath: str) -> bytes:
        given = self._full(relpath)
        _, entry = self._resolve(given)
        if entry is None:
            own = self.tree.entries.get(given)
            if own is not None and own.mode == _SYMLINK_MODE:
                raise SourceSkipped("it is a dangling symbolic link")
            raise FileNotFoundError(relpath)
        if entry.type == "tree":
            raise SourceSkipped("it is a folder, not a file")
        if entry.type == "commit":
            raise SourceSkipped("it is a git submodule (not read at a ref)")
        if entry.size > self.max_bytes:
            raise SourceSkipped(f"it is larger than the size cap ({entry.size} > {self.max_bytes} bytes)")
        return self.tree.read_blob(entry.oid)


def ref_views(
    roots: Sequence[Path], labels: Sequence[str], ref: str, markers: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> list[GitRefView]:
    """Views of every repository under each root, read at ref (raises GitRefError)."""
    markers = tuple(markers)
    views: list[GitRefView] = []
    for root, label in zip(roots, labels, strict=True):
        tree = GitTree(root, ref)
        views.extend(GitRefView(tree, repo, max_bytes, label) for repo in tree.find_repositories(markers))
    return views


def at_ref(request: ScanRequest, ref: str) -> ScanRequest:
    """The request reading every root at ref from git objects (``--ref``); raises GitRefError."""
    from nhi_evidence.collectors import REPOSITORY_COLLECTORS
    from nhi_evidence.pipeline import root_labels

    if not request.roots:
        raise GitRefError("--ref needs at least one PATH inside a git repository")
    markers = sorted({m for c in REPOSITORY_COLLECTORS for m in c.marker_paths})
    views = ref_views(request.roots, root_labels(request.roots), ref, markers, request.max_bytes)
    return dataclasses.replace(request, views=tuple(views))
