"""Finding the repositories under a scanned PATH.

A PATH is a repository or a folder of repositories. A folder is a repository when it holds ``.git``
or any marker path a repository collector declares (``.claude/settings.json``, ``.github/workflows/``
...). The walk never follows symbolic links, never descends into a repository it found (its own
collectors read what they need), skips folders that never hold repositories (``node_modules``,
``.venv``...), and records unreadable folders as collection errors instead of failing.
"""

from __future__ import annotations

import fnmatch
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nhi_evidence.model import CollectionError

#: Folders never descended into while looking for repositories.
PRUNED = frozenset({"node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".cache", "site-packages"})

#: Files that together mark an audit pack written by this tool (never scanned as repositories).
PACK_MARKERS = frozenset({"manifest.json", "assessment.json"})

#: How deep below a PATH repositories are looked for.
MAX_DEPTH = 6


@dataclass
class Discovery:
    """Repositories found under one PATH, and the folders that could not be read."""

    repositories: list[str] = field(default_factory=list)
    """Repository folders relative to the PATH ("" when the PATH itself is one), sorted."""
    errors: list[CollectionError] = field(default_factory=list)
    """Unreadable folders."""


def _is_marker(entry_names: set[str], folder: Path, markers: Iterable[str]) -> bool:
    if ".git" in entry_names:
        return True
    for marker in markers:
        head = marker.split("/", 1)[0]
        if head not in entry_names:
            continue
        if os.path.lexists(folder / marker.rstrip("/")):
            return True
    return False


def find_repositories(root: Path, markers: Iterable[str], label: str = "") -> Discovery:
    """Walk root for repositories (breadth-first, sorted, bounded depth, no symlinks)."""
    markers = tuple(markers)
    found = Discovery()
    queue: deque[tuple[Path, str, int]] = deque([(root, "", 0)])
    while queue:
        folder, rel, depth = queue.popleft()
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except PermissionError:
            shown = "/".join(p for p in (label, rel) if p) or "."
            found.errors.append(
                CollectionError(shown, f"Could not list folder {shown}: permission denied.", "discovery")
            )
            continue
        except OSError as exc:
            shown = "/".join(p for p in (label, rel) if p) or "."
            found.errors.append(CollectionError(shown, f"Could not list folder {shown}: {exc.strerror}.", "discovery"))
            continue
        names = {e.name for e in entries}
        if names >= PACK_MARKERS:
            # An audit pack holds redacted copies of assistant files; they are evidence, not repositories.
            continue
        if _is_marker(names, folder, markers):
            found.repositories.append(rel)
            continue
        if depth >= MAX_DEPTH:
            continue
        for entry in entries:
            if entry.name in PRUNED or entry.name == ".git":
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    queue.append((Path(entry.path), f"{rel}/{entry.name}" if rel else entry.name, depth + 1))
            except OSError:
                continue
    found.repositories.sort()
    return found


def excluded_by(repository: str, patterns: Iterable[str]) -> str | None:
    """The first ``exclude`` pattern (configuration or ``--exclude``) matching a repository folder, or None.

    Patterns are globs over the repository path shown in outputs (relative to the scanned root,
    prefixed by the root label when several roots are scanned). A pattern also excludes everything
    below a folder it names, so ``archive`` and ``archive/*`` both drop ``archive/old-api``.
    """
    for pattern in patterns:
        cleaned = pattern.strip().strip("/")
        if not cleaned:
            continue
        if fnmatch.fnmatchcase(repository, cleaned) or fnmatch.fnmatchcase(repository, cleaned + "/*"):
            return pattern
        if repository == cleaned or repository.startswith(cleaned + "/"):
            return pattern
    return None
