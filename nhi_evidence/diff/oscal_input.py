"""OSCAL assessment-results as one side of a diff: control statuses only.

The document is read by ``nhi_evidence.oscal.reader`` (this tool's and other tools' results): each
finding's ``target-id`` gives the control (``ac-2_obj`` -> ``ac-2``) and ``target.status.state`` its
status; this tool's ``framework`` property names the framework, other tools' controls are grouped
under the framework id ``oscal``. Findings, identities and permissions are not compared for such an
input (the diff says so).

NOTE: finding and target structure: https://pages.nist.gov/OSCAL-Reference/models/v1.1.3/assessment-results/json-reference/#/assessment-results/results/findings
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.diff.inputs import OSCAL_FRAMEWORK, ControlState, InputError, Snapshot
from nhi_evidence.oscal.reader import ReaderError, control_of_target, read_assessment_results


def control_key(target_id: str) -> str:
    """The control id an OSCAL target id points to, lowercased for comparison across tools."""
    return control_of_target(target_id).strip().lower()


def snapshot_from_oscal(doc: Mapping[str, Any], label: str) -> Snapshot:
    """A control-level snapshot of an OSCAL assessment-results document."""
    try:
        summary = read_assessment_results(doc)
    except ReaderError as exc:
        raise InputError(f"{label}: {str(exc).removeprefix('the document: ')}") from None
    snap = Snapshot(label=label, kind="oscal", created_at=summary.last_modified, tool=summary.title)
    for record in summary.controls:
        framework = record.framework or OSCAL_FRAMEWORK
        snap.frameworks.setdefault(framework, framework if record.framework else "Controls (no framework named)")
        snap.controls[(framework, record.control_id)] = ControlState(record.status, "", record.reason)
    return snap
