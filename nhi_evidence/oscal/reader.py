"""Read an OSCAL assessment-results document (this tool's or another's) into control-level statuses.

Used by ``nhi-evidence diff`` and any consumer comparing control coverage. The document is parsed
with the typed ``oscal-bindings`` models (OSCAL 1.2.3, which also reads 1.0-1.1 documents), from a
dict so that misspelled keys are rejected (see the oscal-bindings README, "Known issue").

Rules:
- every finding gives its ``target`` a status; the control id is the ``target-id`` with a NIST
  ``_obj`` / ``_smt`` suffix removed (``ac-6.1_obj`` -> ``ac-6.1``); the framework is the finding's
  (or target's) ``framework`` property in this tool's namespace, else "";
- several findings for one control in one result: not-satisfied wins;
- several results: later results replace earlier ones for the controls they cover;
- this tool's ``control-not-assessed`` / ``control-not-applicable`` result properties give those
  statuses (value the control id, class the framework, remarks the reason).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nhi_evidence.oscal.common import NS, OscalError

_SUFFIX = re.compile(r"^(?P<control>.+?)_(?:obj|smt)(?:[._].*)?$")

#: Status values a record can carry (OSCAL's two, plus this tool's two conventions).
STATUSES = ("satisfied", "not-satisfied", "not-assessed", "not-applicable")


class ReaderError(OscalError):
    """The document cannot be read as OSCAL assessment results (message names the source)."""


@dataclass(frozen=True)
class ControlStatusRecord:
    """The status of one control as the document states it."""

    framework: str
    """Framework id from this tool's ``framework`` property, or "" for other tools' documents."""
    control_id: str
    """Control id (target-id without a NIST objective/statement suffix)."""
    status: str
    """satisfied / not-satisfied / not-assessed / not-applicable."""
    reason: str = ""
    """Finding description, status remarks or the property's remarks."""
    target_id: str = ""
    """The ``target-id`` as written (empty for not-assessed / not-applicable properties)."""
    finding_uuid: str = ""
    """uuid of the finding that decided the status (empty for properties)."""


@dataclass(frozen=True)
class AssessmentResultsSummary:
    """What a reader needs from an assessment-results document."""

    uuid: str
    """Document uuid."""
    title: str
    """Metadata title."""
    oscal_version: str
    """Declared OSCAL version."""
    last_modified: str
    """Metadata last-modified, as written."""
    controls: tuple[ControlStatusRecord, ...]
    """One record per (framework, control), sorted."""

    def by_control(self) -> dict[tuple[str, str], ControlStatusRecord]:
        """Records indexed by (framework, control id)."""
        return {(r.framework, r.control_id): r for r in self.controls}


def control_of_target(target_id: str) -> str:
    """The control id of a finding target (``ac-6.1_obj`` -> ``ac-6.1``; ``NHI5`` unchanged)."""
    match = _SUFFIX.match(target_id)
    return match.group("control") if match else target_id


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _ours(prop: Any, name: str) -> bool:
    return bool(prop.name == name and prop.ns is not None and str(prop.ns).rstrip("/") == NS)


def _framework(*prop_lists: Any) -> str:
    for props in prop_lists:
        for prop in props or ():
            if _ours(prop, "framework"):
                return str(prop.value)
    return ""


def _load(source: Path | str | bytes | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    if isinstance(source, Mapping):
        return dict(source), "the document"
    if isinstance(source, Path):
        try:
            text: str | bytes = source.read_bytes()
        except OSError as exc:
            raise ReaderError(f"{source}: cannot be read ({exc.strerror})") from None
        name = str(source)
    else:
        text, name = source, "the document"
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ReaderError(f"{name}: not JSON") from None
    if not isinstance(data, dict):
        raise ReaderError(f"{name}: not an OSCAL document")
    return data, name


def read_assessment_results(source: Path | str | bytes | Mapping[str, Any]) -> AssessmentResultsSummary:
    """Read assessment results (a path, JSON text or a parsed dict) into control-level statuses."""
    from oscal_bindings import AssessmentResultsDocument

    data, name = _load(source)
    if "assessment-results" not in data:
        raise ReaderError(f"{name}: not an OSCAL assessment-results document")
    try:
        document = AssessmentResultsDocument.model_validate(data).assessment_results
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first.get("loc", ()))
        raise ReaderError(
            f"{name}: not valid OSCAL assessment results ({exc.error_count()} problem(s); first at {where}: {first.get('msg')})"
        ) from None
    records: dict[tuple[str, str], ControlStatusRecord] = {}
    for result in document.results:
        current: dict[tuple[str, str], ControlStatusRecord] = {}
        for finding in result.findings or ():
            target = finding.target
            state = _text(target.status.state)
            control = control_of_target(target.target_id)
            key = (_framework(finding.props, target.props), control)
            previous = current.get(key)
            if previous is not None and previous.status == "not-satisfied":
                continue
            reason = _text(target.status.remarks) or _text(finding.description)
            current[key] = ControlStatusRecord(
                key[0], control, state, reason.strip(), target.target_id, str(finding.uuid)
            )
        for prop in result.props or ():
            for status in ("not-assessed", "not-applicable"):
                if _ours(prop, f"control-{status}"):
                    key = (_text(prop.class_), str(prop.value))
                    current.setdefault(key, ControlStatusRecord(key[0], key[1], status, _text(prop.remarks).strip()))
        records.update(current)
    meta = document.metadata
    return AssessmentResultsSummary(
        uuid=str(document.uuid),
        title=str(meta.title),
        oscal_version=str(meta.oscal_version),
        last_modified=meta.last_modified.isoformat().replace("+00:00", "Z"),
        controls=tuple(records[k] for k in sorted(records)),
    )
