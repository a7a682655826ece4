"""The OSCAL mapping-collection from the OWASP lists to NIST CSF 2.0 (OSCAL 1.2 and later only).

The pairs live in ``mappings/crosswalks/owasp-to-csf.yaml`` (this project's analysis, with a rationale
and provenance per pair). Relationships are the set-theory values of NIST IR 8477 adopted by the
OSCAL mapping model; the JSON schema only requires a token, so the values are checked here when the
file is loaded. The CSF side is NIST's published OSCAL CSF 2.0 catalog, whose control ids are the
CSF ids (``GV.OC-01``).

References:
- https://pages.nist.gov/OSCAL/reference/1.2.1/mapping/json-reference/
- https://github.com/usnistgov/OSCAL/blob/main/src/metaschema/oscal_mapping-common_metaschema.xml
  (allowed values of ``relationship``)
- NIST IR 8477, https://doi.org/10.6028/NIST.IR.8477 (set theory relationship mapping)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from nhi_evidence.model import Framework
from nhi_evidence.oscal.assessment_results import catalog_href
from nhi_evidence.oscal.common import (
    NIST_CSF_CATALOG_URL,
    OSCAL_JSON,
    JsonDict,
    OscalError,
    has_mapping_model,
    metadata,
    oscal_uuid,
    prop,
    props,
    prose,
    token,
)
from nhi_evidence.resources import mappings_dir

#: Relationship values of the OSCAL mapping model (NIST IR 8477 set theory relationships).
RELATIONSHIPS: frozenset[str] = frozenset({"equivalent-to", "equal-to", "subset-of", "superset-of", "intersects-with"})
#: Allowed provenance values (enumerated by the 1.2 schema, repeated here to give a clear message).
METHODS = frozenset({"human", "automation", "hybrid"})
MATCHING = frozenset({"syntactic", "semantic", "functional"})
STATUSES = frozenset({"complete", "not-complete", "draft", "deprecated", "superseded"})

#: Where the NIST-published catalog of a target framework lives (others point at our own export).
PUBLISHED_CATALOGS: Mapping[str, str] = {"nist-csf-2.0": NIST_CSF_CATALOG_URL}


class CrosswalkError(OscalError):
    """The crosswalk file is malformed (message names the file and the pair)."""


@dataclass(frozen=True)
class MapEntry:
    """One source control -> target control pair."""

    source: str
    """Source control id (NHI1)."""
    target: str
    """Target control id (PR.AA-05)."""
    relationship: str
    """One of RELATIONSHIPS."""
    rationale: str
    """Why the relationship holds, one or two sentences."""
    provenance: str
    """Who established the pair and from what."""


@dataclass(frozen=True)
class Collection:
    """The pairs from one source framework to one target framework."""

    source: str
    """Source framework id."""
    target: str
    """Target framework id."""
    maps: tuple[MapEntry, ...]
    """Pairs in file order."""


@dataclass(frozen=True)
class Crosswalk:
    """The whole crosswalk file."""

    title: str
    description: str
    method: str
    matching_rationale: str
    status: str
    version: str
    collections: tuple[Collection, ...]
    path: str = ""


def default_path() -> Path:
    """The shipped crosswalk file."""
    return mappings_dir() / "crosswalks" / "owasp-to-csf.yaml"


def _need(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None or str(value).strip() == "":
        raise CrosswalkError(f"{where}: missing '{key}'")
    return str(value).strip()


def load(path: Path | None = None, frameworks: Sequence[Framework] = ()) -> Crosswalk:
    """Load and check the crosswalk: relationship and provenance values, and (given frameworks) control ids."""
    path = path or default_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CrosswalkError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError:
        raise CrosswalkError(f"{path}: invalid YAML") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("collections"), list):
        raise CrosswalkError(f"{path}: a crosswalk is a mapping with a 'collections' list")
    method, matching, status = (_need(raw, k, str(path)) for k in ("method", "matching-rationale", "status"))
    for value, allowed, key in (
        (method, METHODS, "method"),
        (matching, MATCHING, "matching-rationale"),
        (status, STATUSES, "status"),
    ):
        if value not in allowed:
            raise CrosswalkError(f"{path}: {key} '{value}' is not one of {', '.join(sorted(allowed))}")
    known = {f.id: {c.id for c in f.controls} for f in frameworks}
    collections: list[Collection] = []
    for number, entry in enumerate(raw["collections"], 1):
        where = f"{path}: collection #{number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("maps"), list):
            raise CrosswalkError(f"{where}: needs 'source', 'target' and a 'maps' list")
        source, target = _need(entry, "source", where), _need(entry, "target", where)
        maps: list[MapEntry] = []
        seen: set[tuple[str, str]] = set()
        for item in entry["maps"]:
            if not isinstance(item, dict):
                raise CrosswalkError(f"{where}: each map is a mapping")
            pair = f"{where} ({item.get('source')} -> {item.get('target')})"
            m = MapEntry(
                *(_need(item, k, pair) for k in ("source", "target", "relationship", "rationale", "provenance"))
            )
            if m.relationship not in RELATIONSHIPS:
                raise CrosswalkError(
                    f"{pair}: relationship '{m.relationship}' is not one of {', '.join(sorted(RELATIONSHIPS))}"
                )
            if (m.source, m.target) in seen:
                raise CrosswalkError(f"{pair}: duplicate pair")
            seen.add((m.source, m.target))
            for framework_id, control_id in ((source, m.source), (target, m.target)):
                if framework_id in known and control_id not in known[framework_id]:
                    raise CrosswalkError(f"{pair}: control '{control_id}' is not in framework '{framework_id}'")
            maps.append(m)
        collections.append(Collection(source, target, tuple(maps)))
    return Crosswalk(
        title=_need(raw, "title", str(path)),
        description=_need(raw, "description", str(path)),
        method=method,
        matching_rationale=matching,
        status=status,
        version=str(raw.get("version", "1.0.0")),
        collections=tuple(collections),
        path=str(path),
    )


def build(
    crosswalk: Crosswalk, frameworks: Sequence[Framework], created_at: datetime, oscal_version: str, tool_version: str
) -> JsonDict | None:
    """The mapping-collection for the collections whose source framework is in ``frameworks``.

    Returns None when none applies. Raises OscalError for OSCAL versions without the mapping model.
    """
    if not has_mapping_model(oscal_version):
        raise OscalError(f"OSCAL {oscal_version} has no mapping model (it starts at 1.2.0)")
    present = {f.id: f for f in frameworks}
    mappings: list[JsonDict] = []
    for collection in crosswalk.collections:
        if collection.source not in present:
            continue
        maps = [
            {
                "uuid": oscal_uuid("map", collection.source, collection.target, m.source, m.target),
                "relationship": m.relationship,
                "sources": [{"type": "control", "id-ref": token(m.source)}],
                "targets": [{"type": "control", "id-ref": token(m.target)}],
                "props": props([prop("provenance", m.provenance)]),
                "remarks": prose(m.rationale),
            }
            for m in collection.maps
        ]
        if not maps:
            continue
        target_href = PUBLISHED_CATALOGS.get(collection.target, catalog_href(collection.target))
        mappings.append(
            {
                "uuid": oscal_uuid("mapping", collection.source, collection.target),
                "source-resource": {"type": "catalog", "href": catalog_href(collection.source)},
                "target-resource": {"type": "catalog", "href": target_href},
                "maps": maps,
            }
        )
    if not mappings:
        return None
    return {
        "mapping-collection": {
            "uuid": oscal_uuid("mapping-collection", *(m["uuid"] for m in mappings)),
            "metadata": metadata(
                crosswalk.title,
                created_at,
                crosswalk.version,
                oscal_version,
                properties=[prop("tool-version", tool_version)],
                links=[{"href": NIST_CSF_CATALOG_URL, "rel": "reference", "media-type": OSCAL_JSON}],
                parties={"creator": "nhi-evidence project"},
            ),
            "provenance": {
                "method": crosswalk.method,
                "matching-rationale": crosswalk.matching_rationale,
                "status": crosswalk.status,
                "mapping-description": prose(
                    crosswalk.description + " Relationships follow NIST IR 8477 (set theory relationship mapping)."
                ),
            },
            "mappings": mappings,
        }
    }


def check_relationships(document: Mapping[str, Any]) -> list[str]:
    """Relationship values of a mapping-collection outside RELATIONSHIPS (the schema does not enforce them)."""
    bad: list[str] = []
    body = document.get("mapping-collection") or {}
    mappings = body.get("mappings") or []
    if isinstance(mappings, dict):
        mappings = [mappings]
    for mapping in mappings:
        for entry in mapping.get("maps") or []:
            value = entry.get("relationship")
            if isinstance(value, dict):  # a relationship with its own ns, as some tools write it
                value = value.get("type")
            if value not in RELATIONSHIPS:
                bad.append(f"{entry.get('uuid')}: {value!r}")
    return bad
