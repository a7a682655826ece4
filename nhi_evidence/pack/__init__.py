"""Audit packs: a hashed, optionally signed folder (and archive) of one assessment and its evidence.

``build`` writes a pack atomically, ``manifest`` defines ``manifest.json``, ``signing`` makes and checks
Ed25519 detached signatures, ``archive`` writes and reads reproducible ``.tar.gz`` files and ``verify``
checks a pack (folder or archive) against its manifest. The layout is documented in
``evidence/README.md`` (section ``layout``).
"""

from __future__ import annotations

from nhi_evidence.pack.manifest import MANIFEST_NAME, SIGNATURE_NAME, FileEntry, Manifest, ManifestError, PackPathError

__all__ = ["MANIFEST_NAME", "SIGNATURE_NAME", "FileEntry", "Manifest", "ManifestError", "PackPathError"]
