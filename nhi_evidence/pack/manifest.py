"""``manifest.json``: the list of every file of a pack with its SHA-256 and size, and the pack's provenance.

The manifest is written as canonical JSON (sorted keys, two-space indent, trailing newline), so its
own SHA-256 is stable and can chain packs: a pack built with ``--previous`` records the previous
pack's manifest hash. ``manifest.json`` and its detached signature ``manifest.json.sig`` are the only
files of a pack not listed in it.

Paths in a manifest come from a file that may be hostile (a pack received from elsewhere), so every
path is checked by ``check_pack_path`` before it is joined to anything: relative POSIX paths only, no
``..``, no empty or ``.`` segments, no backslashes or control characters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Version of the manifest format (bumped on an incompatible change).
MANIFEST_VERSION = 1
#: File name of the manifest at the root of a pack.
MANIFEST_NAME = "manifest.json"
#: File name of the detached Ed25519 signature of ``manifest.json``.
SIGNATURE_NAME = "manifest.json.sig"
#: Largest manifest read, in bytes (a manifest of a large organisation stays far below).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class ManifestError(ValueError):
    """A manifest is malformed (message fit for the user)."""


class PackPathError(ManifestError):
    """A path in a manifest or archive would leave the pack (absolute, ``..``) or is not a plain name."""


def check_pack_path(path: str) -> str:
    """Return path when it is a safe relative POSIX path inside a pack; raise PackPathError otherwise."""
    if not isinstance(path, str) or not path:
        raise PackPathError("an empty path")
    shown = json.dumps(path, ensure_ascii=True)
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise PackPathError(f"absolute path {shown} (refused: a pack holds relative paths only)")
    if "\\" in path:
        raise PackPathError(f"path {shown} contains a backslash (refused)")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise PackPathError(f"path {shown} contains a control character (refused)")
    parts = path.split("/")
    if ".." in parts:
        raise PackPathError(f"path {shown} climbs out of the pack with '..' (refused)")
    if any(part in ("", ".") for part in parts):
        raise PackPathError(f"path {shown} has an empty or '.' segment (refused)")
    return path


def sha256_hex(data: bytes) -> str:
    """SHA-256 of bytes, as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileEntry:
    """One file of a pack."""

    path: str
    """Path relative to the pack root (POSIX separators)."""
    sha256: str
    """SHA-256 of the file's bytes (hex)."""
    size: int
    """Size in bytes."""


@dataclass(frozen=True)
class Manifest:
    """The content of ``manifest.json``."""

    files: tuple[FileEntry, ...]
    """Every file of the pack except the manifest and its signature, sorted by path."""
    tool: Mapping[str, str] = field(default_factory=dict)
    """Tool name and version that built the pack."""
    organization: str = ""
    """Organisation the pack is about."""
    period: str = ""
    """Period label (2026-Q4)."""
    created_at: str = ""
    """When the pack was built (RFC 3339, from the injected clock)."""
    assessment_id: str = ""
    """Id of the assessment in ``assessment.json``."""
    sources: Mapping[str, Any] = field(default_factory=dict)
    """Roots scanned, repositories found and source options used (redacted)."""
    content_sha256: str = ""
    """SHA-256 over the path and hash of ``assessment.json`` and every ``evidence/`` file: the digest
    the reports quote (they cannot quote the manifest that lists them)."""
    previous: Mapping[str, str] | None = None
    """The previous pack with ``--previous``: its ``manifest_sha256``, period and created time."""
    signature: Mapping[str, str] | None = None
    """How the manifest is signed: algorithm, signature file, public key SHA-256; None when unsigned."""
    version: int = MANIFEST_VERSION
    """Manifest format version."""

    def to_dict(self) -> dict[str, Any]:
        """The manifest as a JSON-compatible dict (fixed key order)."""
        return {
            "manifest_version": self.version,
            "tool": dict(self.tool),
            "organization": self.organization,
            "period": self.period,
            "created_at": self.created_at,
            "assessment_id": self.assessment_id,
            "sources": dict(self.sources),
            "content_sha256": self.content_sha256,
            "previous": dict(self.previous) if self.previous else None,
            "signature": dict(self.signature) if self.signature else None,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }

    def dumps(self) -> bytes:
        """Canonical bytes of ``manifest.json``."""
        return (json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def by_path(self) -> dict[str, FileEntry]:
        """Index the files by path."""
        return {f.path: f for f in self.files}


def content_digest(files: Mapping[str, str]) -> str:
    """The content digest over ``assessment.json`` and ``evidence/`` files (path -> sha256)."""
    lines = [
        f"{sha}  {path}\n"
        for path, sha in sorted(files.items())
        if path == "assessment.json" or path.startswith("evidence/")
    ]
    return sha256_hex("".join(lines).encode("utf-8"))


def _str(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str):
        raise ManifestError(f"'{key}' must be a string")
    return value


def _str_map(value: Any, key: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise ManifestError(f"'{key}' must be an object of strings")
    return {str(k): v for k, v in value.items()}


def parse_manifest(raw: bytes) -> Manifest:
    """Read ``manifest.json`` bytes; raise ManifestError (or PackPathError for a hostile path)."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"manifest is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"manifest is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(doc, Mapping):
        raise ManifestError("manifest is not a JSON object")
    if doc.get("manifest_version") != MANIFEST_VERSION:
        raise ManifestError(f"unsupported manifest_version (expected {MANIFEST_VERSION})")
    raw_files = doc.get("files")
    if not isinstance(raw_files, list):
        raise ManifestError("'files' must be a list")
    files: list[FileEntry] = []
    seen: set[str] = set()
    for item in raw_files:
        if not isinstance(item, Mapping):
            raise ManifestError("every entry of 'files' must be an object")
        path, sha, size = item.get("path"), item.get("sha256"), item.get("size")
        check_pack_path(path if isinstance(path, str) else "")
        assert isinstance(path, str)
        if path in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ManifestError(f"the manifest lists {path}, which it cannot cover")
        if path in seen:
            raise ManifestError(f"the manifest lists {json.dumps(path)} twice")
        seen.add(path)
        if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ManifestError(f"entry {json.dumps(path)} has no valid sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError(f"entry {json.dumps(path)} has no valid size")
        files.append(FileEntry(path, sha, size))
    tool = _str_map(doc.get("tool") or {}, "tool") or {}
    sources = doc.get("sources") or {}
    if not isinstance(sources, Mapping):
        raise ManifestError("'sources' must be an object")
    return Manifest(
        files=tuple(sorted(files, key=lambda f: f.path)),
        tool=tool,
        organization=_str(doc, "organization"),
        period=_str(doc, "period"),
        created_at=_str(doc, "created_at"),
        assessment_id=_str(doc, "assessment_id"),
        sources=dict(sources),
        content_sha256=_str(doc, "content_sha256"),
        previous=_str_map(doc.get("previous"), "previous"),
        signature=_str_map(doc.get("signature"), "signature"),
    )
