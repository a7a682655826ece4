r"""Shared pieces of every OSCAL document: versions, uuids, properties, metadata, serialisation.

Documents are built as plain dicts rather than through the ``oscal-bindings`` models: the reasons
(speed at 100,000 observations, exact 1.1.3 output) are in README section ``oscal``. The dicts are
checked against the NIST JSON schemas (``validate.py``) and read back through ``oscal-bindings`` in
the tests.

OSCAL data types used here (https://pages.nist.gov/OSCAL/reference/datatypes/):
- token: ``^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`` (ids, property names, classes);
- markup-line (titles) and string (property values): one line, no leading or trailing space;
- date-time-with-timezone: RFC 3339 with a zone (``clock.isoformat`` gives ``...Z``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import pydantic_core

from nhi_evidence.clock import isoformat
from nhi_evidence.ids import NAMESPACE, stable_uuid

#: OSCAL versions this tool emits; the first is the default. 1.1.3 is for consumers still on 1.1.
OSCAL_VERSIONS: tuple[str, ...] = ("1.2.1", "1.1.3")
DEFAULT_OSCAL_VERSION = OSCAL_VERSIONS[0]

#: Namespace of every property this tool defines (OSCAL props without ``ns`` are NIST's own names).
NS = "https://github.com/nhi-evidence/nhi-evidence/ns/oscal"

#: Where NIST publishes the OSCAL catalog of CSF 2.0 (control ids are the CSF ids: GV.OC-01).
NIST_CSF_CATALOG_URL = (
    "https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog.json"
)

#: Media type registered for OSCAL JSON.
OSCAL_JSON = "application/oscal+json"

JsonDict = dict[str, Any]


class OscalError(Exception):
    """An OSCAL document cannot be built or is invalid (message fit for the user)."""


def check_version(version: str) -> str:
    """Return the version when this tool emits it; raise OscalError otherwise."""
    if version not in OSCAL_VERSIONS:
        raise OscalError(f"unsupported OSCAL version {version!r} (choose {' or '.join(OSCAL_VERSIONS)})")
    return version


def has_mapping_model(version: str) -> bool:
    """The control mapping model exists from OSCAL 1.2.0 on."""
    major, minor = (int(p) for p in version.split(".")[:2])
    return (major, minor) >= (1, 2)


def oscal_uuid(kind: str, *parts: str) -> str:
    """uuid5 of an OSCAL object from its kind and stable keys (never content that changes per run).

    The value is ``ids.stable_uuid("oscal", kind, *parts)`` (a test checks it), computed without
    building ``uuid.UUID`` objects, which cost half the build time of a 100,000-observation document;
    the hash of the namespace and the kind is computed once per kind and copied.
    """
    if not parts:
        return stable_uuid("oscal", kind)
    hasher = _kind_hash(kind).copy()
    hasher.update(_joined(parts).encode("utf-8"))
    return _uuid_text(hasher.hexdigest())


def _joined(parts: Sequence[str]) -> str:
    """Keys joined by the unit separator, a separator inside a key made a space (as ``stable_uuid`` does)."""
    text = "\x1f".join(parts)
    if text.count("\x1f") != len(parts) - 1:
        text = "\x1f".join(part.replace("\x1f", " ") for part in parts)
    return text


def oscal_uuids(kind: str, prefix: Sequence[str], lasts: Iterable[str]) -> list[str]:
    """``oscal_uuid(kind, *prefix, last)`` for each last, the hash of kind and prefix computed once.

    The component definition names hundreds of thousands of requirements that differ only by
    their last key (a control of one identity's framework).
    """
    start = _kind_hash(kind)
    if prefix:
        start = start.copy()
        start.update((_joined(prefix) + "\x1f").encode("utf-8"))
    out: list[str] = []
    for last in lasts:
        hasher = start.copy()
        hasher.update(last.replace("\x1f", " ").encode("utf-8"))
        out.append(_uuid_text(hasher.hexdigest()))
    return out


def _uuid_text(text: str) -> str:
    """The uuid of a SHA-1 (hex): its first 16 bytes, version nibble 5, variant bits 10 (RFC 4122 section 4.3).

    Patched in the hex text rather than in bytes.
    """
    return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:32]}"


#: Hex digit of the variant byte's high nibble -> the same digit with its two top bits set to 10.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


@functools.cache
def _kind_hash(kind: str) -> Any:
    prefix = "\x1f".join(("oscal", kind.replace("\x1f", " "))) + "\x1f"
    return hashlib.sha1(_NAMESPACE_BYTES + prefix.encode("utf-8"), usedforsecurity=False)


#: Same namespace as every other uuid of the tool.
_NAMESPACE_BYTES = NAMESPACE.bytes
#: Kept for callers that want the reference implementation.
reference_uuid = stable_uuid


def is_token(text: str) -> bool:
    r"""Whether text matches the OSCAL token pattern ``^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$``.

    Python's ``re`` has no ``\p{L}``, so the Unicode categories are checked directly.
    """
    if not text:
        return False
    first = text[0]
    if not (first == "_" or unicodedata.category(first).startswith("L")):
        return False
    return all(ch in ".-_" or unicodedata.category(ch)[0] in "LN" for ch in text[1:])


@functools.lru_cache(maxsize=65536)
def token(text: str) -> str:
    """Text as an OSCAL token: unchanged when valid (NHI1, ASI01, PR.AA-05), else made valid.

    Invalid characters become ``_`` and a leading digit or symbol gets a ``_`` prefix; the original
    id is kept in a ``label`` property by the callers.
    """
    if is_token(text):
        return text
    cleaned = "".join(ch if ch in ".-_" or unicodedata.category(ch)[0] in "LN" else "_" for ch in text)
    if not cleaned or not (cleaned[0] == "_" or unicodedata.category(cleaned[0]).startswith("L")):
        cleaned = "_" + cleaned
    return cleaned


_SPACE = re.compile(r"\s+")


def line(text: str, fallback: str = "-") -> str:
    """One trimmed line (markup-line titles, string property values); fallback when empty."""
    flat = _SPACE.sub(" ", text).strip()
    return flat or fallback


def prose(text: str, fallback: str = "-") -> str:
    """Multi-line text (markup-multiline) trimmed; fallback when empty."""
    stripped = text.strip()
    return stripped or fallback


def prop(
    name: str,
    value: object,
    *,
    cls: str | None = None,
    remarks: str | None = None,
    ns: str | None = NS,
) -> JsonDict | None:
    """An OSCAL property in the project namespace (``ns=None`` for NIST names); None for an empty value."""
    text = " ".join(str(value).split())
    if not text:
        return None
    out: JsonDict = {"name": name}
    if ns:
        out["ns"] = ns
    out["value"] = text
    if cls:
        out["class"] = token(cls)
    if remarks and remarks.strip():
        out["remarks"] = remarks.strip()
    return out


def props(items: Iterable[JsonDict | None]) -> list[JsonDict]:
    """Properties without the empty ones."""
    return [item for item in items if item is not None]


def put(target: JsonDict, key: str, value: Any) -> None:
    """Set a key only when the value is non-empty (OSCAL arrays need at least one item)."""
    if value not in (None, "", [], {}):
        target[key] = value


def timestamp(moment: datetime) -> str:
    """date-time-with-timezone in UTC (``2026-11-25T12:00:00Z``)."""
    return isoformat(moment)


def href(path: str) -> str:
    """A file path or URI as a URI reference: URIs unchanged, paths percent-encoded (spaces, ``#``)."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        return quote(path, safe=":/?#[]@!$&'()*+,;=%-._~")
    return quote(path, safe="/!$&'()*+,;=:@-._~")


def metadata(
    title: str,
    created_at: datetime,
    version: str,
    oscal_version: str,
    *,
    properties: Iterable[JsonDict | None] = (),
    links: Iterable[JsonDict] = (),
    parties: Mapping[str, str] | None = None,
    remarks: str = "",
) -> JsonDict:
    """The metadata block: title, last-modified (the assessment time), version, oscal-version.

    ``parties`` maps a role id to an organisation name; each becomes a role, a party and a
    responsible-party entry (party uuids derived from the name).
    """
    out: JsonDict = {
        "title": line(title),
        "last-modified": timestamp(created_at),
        "version": line(version),
        "oscal-version": check_version(oscal_version),
    }
    put(out, "props", props(properties))
    put(out, "links", list(links))
    if parties:
        out["roles"] = [{"id": role, "title": line(role.replace("-", " ").capitalize())} for role in parties]
        names = sorted(set(parties.values()))
        out["parties"] = [
            {"uuid": oscal_uuid("party", name), "type": "organization", "name": line(name)} for name in names
        ]
        out["responsible-parties"] = [
            {"role-id": role, "party-uuids": [oscal_uuid("party", name)]} for role, name in parties.items()
        ]
    put(out, "remarks", remarks.strip())
    return out


def dumps(document: Mapping[str, Any]) -> bytes:
    r"""Serialise a document: two-space indent, UTF-8, trailing newline, key order as built.

    The bytes equal ``json.dumps(document, indent=2, ensure_ascii=False) + "\n"`` (a test checks it);
    pydantic-core's encoder (already installed with pydantic) is used because the standard library
    falls back to its pure-Python encoder whenever ``indent`` is set, about 7 times slower on a
    100,000-observation document.
    """
    return pydantic_core.to_json(document, indent=2) + b"\n"


_K = TypeVar("_K")
_V = TypeVar("_V")


class Memo(dict[_K, _V]):
    """A table that builds a missing entry from its key with ``make``, once, and keeps it.

    The OSCAL builders share pieces that recur across thousands of items (documents are
    serialised, never modified). Looked up hundreds of thousands of times while a document is
    written: a dict subscript with ``__missing__`` costs less than a method testing the table itself.
    """

    def __init__(self, make: Callable[[_K], _V]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: _K) -> _V:
        value = self[key] = self.make(key)
        return value
