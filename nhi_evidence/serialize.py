"""The versioned JSON contract: Assessment <-> plain dict.

``to_dict`` writes the contract documented in the README ("The JSON contract"); ``from_dict`` reads it
back (packs, ``diff`` and ``trend`` consume it). Keys are emitted in a fixed order and lists are
sorted upstream, so the same assessment always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import pydantic_core

from nhi_evidence import jsonstream
from nhi_evidence.clock import isoformat, parse_instant
from nhi_evidence.gcpause import paused_gc
from nhi_evidence.jsonstream import Stream, materialise
from nhi_evidence.model import (
    SCHEMA_VERSION,
    Assessment,
    Capability,
    CollectionError,
    Control,
    ControlGroup,
    ControlResult,
    ControlStatus,
    Evidence,
    Finding,
    Framework,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Skip,
    Subject,
    Tier,
)
from nhi_evidence.sinks import BinaryWriter


class ContractError(ValueError):
    """A document does not follow the JSON contract."""


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    out: dict[str, Any] = {"path": location.path}
    if location.line is not None:
        out["line"] = location.line
    if location.pointer is not None:
        out["pointer"] = location.pointer
    return out


#: Types written as they are (exact types: subclasses such as enums take the slow path).
_SCALARS = frozenset({str, int, bool, float, type(None)})


def _json_safe(value: Any) -> Any:
    # Exact-type checks first: facts are mostly plain str/int/bool/list/dict, and this walk runs over
    # every fact of every subject, so the common cases must not pay for isinstance chains, and
    # scalar members are copied without a call (most values of a fact tree are scalars).
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _SCALARS else _json_safe(v)) for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else _json_safe(v) for v in value]
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_safe(v) for v in value]
        return (
            sorted(items, key=lambda v: json.dumps(v, sort_keys=True)) if isinstance(value, (set, frozenset)) else items
        )
    return value


def subject_dict(subject: Subject) -> dict[str, Any]:
    """One subject in contract form."""
    return {
        "id": subject.id,
        "kind": subject.kind,
        "name": subject.name,
        "path": subject.path,
        "repository": subject.repository,
        "capability": {"tier": subject.capability.tier.value, "reasons": list(subject.capability.reasons)},
        "facts": _json_safe(subject.facts),
        "evidence": list(subject.evidence_ids),
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding in contract form."""
    return {
        "id": finding.id,
        "probe": finding.probe,
        "outcome": finding.outcome.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "subject": finding.subject,
        "location": _location(finding.location),
        "evidence": list(finding.evidence_ids),
        "remediation": finding.remediation,
        "values": _json_safe(finding.values),
    }


def framework_dict(framework: Framework) -> dict[str, Any]:
    """A framework's identity (the full catalog is not repeated in every assessment)."""
    return {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "publisher": framework.publisher,
        "controls": len(framework.controls),
    }


def to_dict(assessment: Assessment) -> dict[str, Any]:
    """The assessment as the versioned JSON contract."""
    return materialise(skeleton(assessment))


def skeleton(assessment: Assessment) -> dict[str, Any]:
    """The JSON contract with its subjects, findings, control results and evidence as streams."""
    titles = {(f.id, c.id): c.title for f in assessment.frameworks for c in f.controls}

    def control_results() -> Iterator[dict[str, Any]]:
        for r in assessment.control_results:
            yield {
                "framework": r.framework,
                "control_id": r.control_id,
                "title": titles.get((r.framework, r.control_id), ""),
                "status": r.status.value,
                "reason": r.reason,
                "findings": list(r.findings),
                "probes": list(r.probes),
            }

    def evidence() -> Iterator[dict[str, Any]]:
        for e in assessment.evidence:
            yield {
                "id": e.id,
                "collector": e.collector,
                "source": e.source,
                "media_type": e.media_type,
                "sha256": e.sha256,
                "size": e.size,
                "collected_at": isoformat(e.collected_at),
                "repository": e.repository,
            }

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "nhi-evidence", "version": assessment.tool_version},
        "assessment": {
            "id": assessment.id,
            "created_at": isoformat(assessment.created_at),
            "scope": {
                "roots": list(assessment.scope.roots),
                "repositories": list(assessment.scope.repositories),
                "collectors": list(assessment.scope.collectors),
                "sources": _json_safe(assessment.scope.sources),
            },
            "metadata": _json_safe(assessment.metadata),
        },
        "frameworks": [framework_dict(f) for f in assessment.frameworks],
        # The contract keeps empty lists.
        "subjects": Stream(lambda: map(subject_dict, assessment.subjects), keep_empty=True),
        "findings": Stream(lambda: map(finding_dict, assessment.findings), keep_empty=True),
        "control_results": Stream(control_results, keep_empty=True),
        "evidence": Stream(evidence, keep_empty=True),
        "skips": [{"path": s.path, "reason": s.reason, "collector": s.collector} for s in assessment.skips],
        "errors": [
            {"path": e.path, "message": e.message, "collector": e.collector, **({"line": e.line} if e.line else {})}
            for e in assessment.errors
        ],
    }


def dumps(assessment: Assessment) -> str:
    r"""The JSON contract as text (two-space indent, trailing newline).

    The text equals ``json.dumps(to_dict(assessment), indent=2, ensure_ascii=False) + "\\n"`` (a test
    checks it); pydantic-core's encoder is used because the standard library falls back to its
    pure-Python encoder whenever ``indent`` is set, several times slower on large assessments.
    """
    return (pydantic_core.to_json(to_dict(assessment), indent=2) + b"\n").decode("utf-8")


def write(assessment: Assessment, out: BinaryWriter) -> None:
    """Write the JSON contract to out, record by record: the same bytes as ``dumps``, in flat memory."""
    with paused_gc():
        jsonstream.write(skeleton(assessment), out)


def _loc(raw: Any) -> Location | None:
    if not raw:
        return None
    return Location(str(raw["path"]), raw.get("line"), raw.get("pointer"))


def from_dict(doc: Mapping[str, Any], frameworks: list[Framework] | None = None) -> Assessment:
    """Read an assessment back from the JSON contract.

    Frameworks are rebuilt from ``frameworks`` (the loaded catalogs) when given, otherwise as
    skeletons holding the controls named in ``control_results``.
    """
    if not isinstance(doc, Mapping) or doc.get("schema_version") != SCHEMA_VERSION:
        raise ContractError(f"not an nhi-evidence assessment with schema_version {SCHEMA_VERSION}")
    try:
        meta = doc.get("assessment", {})
        created = parse_instant(meta.get("created_at", "1970-01-01T00:00:00Z"))
        subjects = tuple(
            Subject(
                id=s["id"],
                kind=s["kind"],
                name=s["name"],
                path=s["path"],
                repository=s.get("repository", ""),
                capability=Capability(Tier(s["capability"]["tier"]), tuple(s["capability"].get("reasons", ()))),
                facts=s.get("facts", {}),
                evidence_ids=tuple(s.get("evidence", ())),
            )
            for s in doc.get("subjects", ())
        )
        findings = tuple(
            Finding(
                id=f["id"],
                probe=f["probe"],
                outcome=Outcome(f["outcome"]),
                severity=Severity(f["severity"]),
                message=f["message"],
                subject=f["subject"],
                location=_loc(f.get("location")),
                evidence_ids=tuple(f.get("evidence", ())),
                remediation=f.get("remediation", ""),
                values=f.get("values", {}),
            )
            for f in doc.get("findings", ())
        )
        results = tuple(
            ControlResult(
                framework=r["framework"],
                control_id=r["control_id"],
                status=ControlStatus(r["status"]),
                reason=r.get("reason", ""),
                findings=tuple(r.get("findings", ())),
                probes=tuple(r.get("probes", ())),
            )
            for r in doc.get("control_results", ())
        )
        evidence = tuple(
            Evidence(
                id=e["id"],
                collector=e["collector"],
                source=e["source"],
                media_type=e["media_type"],
                sha256=e["sha256"],
                size=e["size"],
                collected_at=parse_instant(e["collected_at"]),
                repository=e.get("repository", ""),
            )
            for e in doc.get("evidence", ())
        )
        if frameworks is None:
            frameworks = []
            for fw in doc.get("frameworks", ()):
                controls = tuple(Control(r.control_id, "", fw["id"]) for r in results if r.framework == fw["id"])
                frameworks.append(Framework(fw["id"], fw.get("title", fw["id"]), fw.get("version", ""), controls))
        wanted = {fw["id"] for fw in doc.get("frameworks", ())}
        scope = meta.get("scope", {})
        return Assessment(
            id=meta.get("id", ""),
            tool_version=doc.get("tool", {}).get("version", ""),
            created_at=created,
            scope=ScanScope(
                tuple(scope.get("roots", ())),
                tuple(scope.get("repositories", ())),
                tuple(scope.get("collectors", ())),
                scope.get("sources", {}),
            ),
            subjects=subjects,
            evidence=evidence,
            findings=findings,
            control_results=results,
            frameworks=tuple(f for f in frameworks if not wanted or f.id in wanted),
            skips=tuple(Skip(s["path"], s["reason"], s.get("collector", "")) for s in doc.get("skips", ())),
            errors=tuple(
                CollectionError(e["path"], e["message"], e.get("collector", ""), e.get("line"))
                for e in doc.get("errors", ())
            ),
            metadata=meta.get("metadata", {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"malformed assessment document ({type(exc).__name__}: {exc})") from None


__all__ = ["ContractError", "ControlGroup", "dumps", "from_dict", "to_dict"]
