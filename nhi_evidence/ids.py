"""Stable identifiers: every id is derived from stable keys, never from time or randomness.

Two runs over the same input must produce byte-identical outputs apart from declared timestamps, so
subjects, evidence, findings and OSCAL objects are named with uuid5 over a fixed namespace.
"""

from __future__ import annotations

import hashlib
import uuid

#: Namespace of every uuid5 this tool derives (uuid5 of the DNS namespace and the project name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "nhi-evidence.invalid")


def stable_uuid(*parts: str) -> str:
    """uuid5 over the parts joined with a separator that cannot occur in them unescaped."""
    key = "\x1f".join(part.replace("\x1f", " ") for part in parts)
    return str(uuid.uuid5(NAMESPACE, key))


def short_id(*parts: str, length: int = 12) -> str:
    """A short, stable hex id over the parts (for finding and evidence ids in JSON)."""
    key = "\x1f".join(parts)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:length]
