"""Reading a pack (folder or archive) and checking it against its manifest.

``open_pack`` gives the same view of a pack folder and of its ``.tar.gz``: the regular files by
relative path. ``verify_pack`` recomputes every SHA-256 and size, names each missing, extra or
altered file, recomputes the content digest, and checks the detached signature when a public key is
given. A pack is intact only when nothing is missing, extra or altered, no member was refused, and
(with a key) the signature is valid.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nhi_evidence.pack import signing
from nhi_evidence.pack.archive import ArchiveError, is_archive, read_archive
from nhi_evidence.pack.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    SIGNATURE_NAME,
    Manifest,
    ManifestError,
    content_digest,
    parse_manifest,
    sha256_hex,
)


class PackError(Exception):
    """A path is not a pack that can be read (message fit for the user)."""


@dataclass
class PackContents:
    """The regular files of a pack, read from a folder or an archive."""

    location: Path
    """The folder or archive."""
    kind: str
    """"folder" or "archive"."""
    paths: list[str] = field(default_factory=list)
    """Regular files by relative path, sorted."""
    refused: list[str] = field(default_factory=list)
    """Full sentences naming entries refused (links, special files, hostile names)."""
    _data: dict[str, bytes] = field(default_factory=dict, repr=False)

    def read(self, rel: str) -> bytes:
        """The bytes of one file of the pack (raises FileNotFoundError when absent)."""
        if rel not in self.paths:
            raise FileNotFoundError(rel)
        if self.kind == "archive":
            return self._data[rel]
        fd = os.open(self.location / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def manifest_bytes(self) -> bytes:
        """The bytes of ``manifest.json`` (raises PackError when absent or too large)."""
        if MANIFEST_NAME not in self.paths:
            raise PackError(f"{self.location}: no {MANIFEST_NAME} (not an nhi-evidence pack)")
        raw = self.read(MANIFEST_NAME)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise PackError(f"{self.location}: {MANIFEST_NAME} is too large")
        return raw


def _walk_folder(root: Path) -> tuple[list[str], list[str]]:
    paths: list[str] = []
    refused: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel_folder = Path(folder).relative_to(root)
        for name in sorted([*dirs, *files]):
            full = Path(folder) / name
            rel = (rel_folder / name).as_posix() if rel_folder != Path(".") else name
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                refused.append(f"{rel} is a symbolic link (a pack holds regular files only).")
                if name in dirs:
                    dirs.remove(name)
            elif stat.S_ISREG(mode):
                paths.append(rel)
            elif not stat.S_ISDIR(mode):
                refused.append(f"{rel} is not a regular file (FIFO, socket or device).")
    return sorted(paths), refused


def open_pack(path: Path) -> PackContents:
    """Open a pack folder or archive; raise PackError when it cannot be read."""
    if is_archive(path):
        try:
            contents = read_archive(path)
        except ArchiveError as exc:
            raise PackError(str(exc)) from None
        return PackContents(path, "archive", sorted(contents.files), contents.refused, contents.files)
    if path.is_dir():
        paths, refused = _walk_folder(path)
        return PackContents(path, "folder", paths, refused)
    if path.exists():
        raise PackError(f"{path}: not a pack folder or a .tar.gz pack archive")
    raise PackError(f"{path}: no such pack")


def load_manifest(pack: PackContents) -> tuple[Manifest, bytes]:
    """Parse a pack's manifest; raise PackError naming the problem."""
    raw = pack.manifest_bytes()
    try:
        return parse_manifest(raw), raw
    except ManifestError as exc:
        raise PackError(f"{pack.location}: {MANIFEST_NAME}: {exc}") from None


@dataclass
class VerifyReport:
    """The result of verifying one pack."""

    location: str
    """The pack verified, as given."""
    manifest_sha256: str = ""
    """SHA-256 of ``manifest.json``."""
    files_checked: int = 0
    """Files listed in the manifest."""
    missing: list[str] = field(default_factory=list)
    """Files listed but absent."""
    extra: list[str] = field(default_factory=list)
    """Files present but not listed."""
    altered: list[str] = field(default_factory=list)
    """Full sentences naming files whose hash or size differs."""
    problems: list[str] = field(default_factory=list)
    """Other failures (unreadable or hostile manifest, refused members, content digest)."""
    signature: str = "absent"
    """valid, invalid, absent, missing (signed but no signature file), unchecked (no --key given)."""
    signature_detail: str = ""
    """A sentence about the signature."""

    @property
    def intact(self) -> bool:
        """True when every file matches and the signature (when checked) is valid."""
        return not (self.missing or self.extra or self.altered or self.problems) and self.signature in (
            "valid",
            "absent",
            "unchecked",
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-compatible form."""
        return {
            "pack": self.location,
            "intact": self.intact,
            "manifest_sha256": self.manifest_sha256,
            "files_checked": self.files_checked,
            "missing": self.missing,
            "extra": self.extra,
            "altered": self.altered,
            "problems": self.problems,
            "signature": self.signature,
            "signature_detail": self.signature_detail,
        }


def verify_pack(path: Path, public_key: Path | None = None) -> VerifyReport:
    """Verify a pack folder or archive against its manifest (and its signature with a key)."""
    report = VerifyReport(str(path))
    try:
        pack = open_pack(path)
        manifest, raw = load_manifest(pack)
    except PackError as exc:
        report.problems.append(str(exc))
        return report
    report.manifest_sha256 = sha256_hex(raw)
    report.problems.extend(pack.refused)
    if manifest.dumps() != raw:
        # The builder writes canonical JSON; any other byte sequence means the manifest was edited.
        report.problems.append(f"{MANIFEST_NAME} is not in the canonical form the pack builder writes (edited?).")
    report.files_checked = len(manifest.files)
    listed = manifest.by_path()
    present = set(pack.paths)
    hashes: dict[str, str] = {}
    for entry in manifest.files:
        if entry.path not in present:
            report.missing.append(entry.path)
            continue
        try:
            data = pack.read(entry.path)
        except OSError as exc:
            report.problems.append(f"{entry.path} could not be read ({exc.strerror or type(exc).__name__}).")
            continue
        actual = sha256_hex(data)
        hashes[entry.path] = actual
        if actual != entry.sha256:
            report.altered.append(f"{entry.path}: sha256 {actual} differs from the manifest's {entry.sha256}.")
        elif len(data) != entry.size:
            report.altered.append(f"{entry.path}: size {len(data)} differs from the manifest's {entry.size}.")
    report.extra = sorted(p for p in present - set(listed) if p not in (MANIFEST_NAME, SIGNATURE_NAME))
    if manifest.content_sha256 and not report.missing:
        digest = content_digest({e.path: e.sha256 for e in manifest.files})
        if digest != manifest.content_sha256:
            report.problems.append("content_sha256 in the manifest does not match the listed files.")
    _check_signature(report, pack, raw, manifest, public_key)
    return report


def _check_signature(
    report: VerifyReport, pack: PackContents, raw: bytes, manifest: Manifest, public_key: Path | None
) -> None:
    has_sig = SIGNATURE_NAME in pack.paths
    if manifest.signature and not has_sig:
        # The manifest says the pack was signed: a missing signature file fails with or without a key.
        report.signature = "missing"
        report.signature_detail = f"The manifest records a signature but {SIGNATURE_NAME} is absent."
        return
    if public_key is None:
        if has_sig:
            fingerprint = (manifest.signature or {}).get("public_key_sha256", "unknown")
            report.signature = "unchecked"
            report.signature_detail = f"Signed (key sha256 {fingerprint}); give --key PUB to check the signature."
        return
    key = signing.load_public_key(public_key)
    if not has_sig:
        report.signature = "missing"
        report.signature_detail = f"{SIGNATURE_NAME} is absent: the pack is not signed."
        return
    if signing.check(key, raw, pack.read(SIGNATURE_NAME)):
        report.signature = "valid"
        report.signature_detail = f"Signature valid for key sha256 {signing.public_key_sha256(key)}."
    else:
        report.signature = "invalid"
        report.signature_detail = "The signature does not match manifest.json and this key."


def read_json(pack: PackContents, rel: str) -> object:
    """Parse one JSON file of a pack; raise PackError naming the file."""
    try:
        return json.loads(pack.read(rel).decode("utf-8"))
    except FileNotFoundError:
        raise PackError(f"{pack.location}: no {rel}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"{pack.location}: {rel} is not valid JSON ({type(exc).__name__})") from None
