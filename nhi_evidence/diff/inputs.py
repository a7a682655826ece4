"""Reading one side of a diff: a pack (folder or archive), an ``assessment.json``, or OSCAL assessment results.

Everything is reduced to a ``Snapshot``. An nhi-evidence input carries findings, subjects and
per-framework control results; an OSCAL input (possibly from another tool) carries only control
statuses, so the finding, identity and permission comparisons are unavailable for it and the diff
says so.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhi_evidence import serialize
from nhi_evidence.clock import isoformat
from nhi_evidence.model import Assessment, ControlStatus, Finding, Subject
from nhi_evidence.pack.archive import is_archive
from nhi_evidence.pack.manifest import MANIFEST_NAME
from nhi_evidence.pack.verify import PackError, load_manifest, open_pack, read_json

#: Largest single JSON input read (assessment.json or OSCAL).
MAX_INPUT_BYTES = 512 * 1024 * 1024
#: Framework id used for OSCAL inputs that do not say which framework a control belongs to.
OSCAL_FRAMEWORK = "oscal"


class InputError(Exception):
    """An input cannot be read as a pack, an assessment or OSCAL assessment results (message fit for the user)."""


@dataclass(frozen=True)
class ControlState:
    """The status of one control on one side."""

    status: str
    """A ControlStatus value."""
    title: str = ""
    """Control title, when known."""
    reason: str = ""
    """Why it has this status, when known."""
    findings: tuple[str, ...] = ()
    """Ids of the findings that decided it."""


@dataclass
class Snapshot:
    """One side of a diff, reduced to what can be compared."""

    label: str
    """How the side is named in output (period, file name)."""
    kind: str
    """"nhi-evidence" (a pack or assessment.json) or "oscal"."""
    period: str = ""
    """Period label, when known."""
    created_at: str = ""
    """When it was produced, when known."""
    organization: str = ""
    """Organisation, when known."""
    tool: str = ""
    """Tool and version that produced it, when known."""
    frameworks: dict[str, str] = field(default_factory=dict)
    """Framework id -> title, in order."""
    controls: dict[tuple[str, str], ControlState] = field(default_factory=dict)
    """(framework, control id) -> state."""
    findings: dict[str, Finding] = field(default_factory=dict)
    """Findings by id (nhi-evidence inputs only)."""
    subjects: dict[str, Subject] = field(default_factory=dict)
    """Subjects by id (nhi-evidence inputs only)."""
    manifest_sha256: str = ""
    """SHA-256 of the pack's manifest, for pack inputs."""

    @property
    def detailed(self) -> bool:
        """True when findings, identities and permissions can be compared."""
        return self.kind == "nhi-evidence"


def from_assessment(assessment: Assessment, label: str) -> Snapshot:
    """A snapshot of an Assessment."""
    findings = assessment.findings_by_id()
    meta = assessment.metadata
    snap = Snapshot(
        label=label or str(meta.get("period", "") or "") or isoformat(assessment.created_at),
        kind="nhi-evidence",
        period=str(meta.get("period", "") or ""),
        created_at=isoformat(assessment.created_at),
        organization=str(meta.get("organization", "") or ""),
        tool=f"nhi-evidence {assessment.tool_version}",
        frameworks={f.id: f.title for f in assessment.frameworks},
        findings=findings,
        subjects=assessment.subjects_by_id(),
    )
    titles = {(f.id, c.id): c.title for f in assessment.frameworks for c in f.controls}
    for result in assessment.control_results:
        snap.frameworks.setdefault(result.framework, result.framework)
        snap.controls[(result.framework, result.control_id)] = ControlState(
            result.status.value, titles.get((result.framework, result.control_id), ""), result.reason, result.findings
        )
    return snap


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: larger than {MAX_INPUT_BYTES} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or pack") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _parse(path: Path, raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{path}: not valid JSON{line}") from None


def snapshot_from_document(doc: Any, path: Path, label: str = "") -> Snapshot:
    """A snapshot of a parsed JSON document: the nhi-evidence JSON contract or OSCAL assessment results."""
    if isinstance(doc, dict) and "assessment-results" in doc:
        from nhi_evidence.diff.oscal_input import snapshot_from_oscal

        # A generic file name (assessment-results.json) is shown with its folder, to tell the sides apart.
        return snapshot_from_oscal(doc, label or "/".join(p for p in (path.parent.name, path.name) if p))
    if isinstance(doc, dict) and "schema_version" in doc:
        try:
            assessment = serialize.from_dict(doc)
        except (serialize.ContractError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: not a readable nhi-evidence assessment ({exc})") from None
        snap = from_assessment(assessment, label)
        # The contract carries each control's title beside its result; the skeleton frameworks do not.
        for row in doc.get("control_results") or ():
            key = (str(row.get("framework", "")), str(row.get("control_id", "")))
            state = snap.controls.get(key)
            if state is not None and not state.title and row.get("title"):
                snap.controls[key] = dataclasses.replace(state, title=str(row["title"]))
        return snap
    raise InputError(f"{path}: neither an nhi-evidence assessment, a pack, nor OSCAL assessment-results")


def load_snapshot(path: Path) -> Snapshot:
    """Read a pack folder or archive, an ``assessment.json`` or an OSCAL assessment-results JSON file."""
    if is_archive(path) or (path.is_dir() and (path / MANIFEST_NAME).is_file()):
        try:
            pack = open_pack(path)
            manifest, raw = load_manifest(pack)
            doc = read_json(pack, "assessment.json")
        except PackError as exc:
            raise InputError(str(exc)) from None
        from nhi_evidence.pack.manifest import sha256_hex

        snap = snapshot_from_document(doc, path / "assessment.json", manifest.period or path.name)
        snap.period = manifest.period or snap.period
        snap.organization = manifest.organization or snap.organization
        snap.manifest_sha256 = sha256_hex(raw)
        return snap
    if path.is_dir():
        if (path / "assessment.json").is_file():
            return load_snapshot(path / "assessment.json")
        raise InputError(f"{path}: a folder without manifest.json or assessment.json (not a pack)")
    return snapshot_from_document(_parse(path, _read_file(path)), path)


def status_rank(status: str) -> int | None:
    """Order used to call a change an improvement or a regression (None: not ordered, e.g. not-applicable)."""
    order = {
        ControlStatus.NOT_SATISFIED.value: 0,
        ControlStatus.NOT_ASSESSED.value: 1,
        ControlStatus.SATISFIED.value: 2,
    }
    return order.get(status)
