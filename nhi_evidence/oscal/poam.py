"""The OSCAL plan-of-action-and-milestones: one item per open (not-satisfied) control finding.

Each POA&M item links the control finding (same uuid as in assessment-results), the risks of its
failed probe findings and their observations; those objects are repeated in the POA&M so that it is
self-contained (OSCAL resolves ``finding-uuid`` and ``risk-uuid`` within the document). The assistant
identities concerned are components in ``local-definitions``; ``system-id`` is the assessment id.

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/plan-of-action-and-milestones/json-reference/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Assessment, ControlStatus, Outcome
from nhi_evidence.oscal import assessment_results as ar
from nhi_evidence.oscal.common import (
    JsonDict,
    line,
    metadata,
    oscal_uuid,
    paused_gc,
    prop,
    props,
    prose,
    put,
    timestamp,
)


def build(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
) -> JsonDict:
    """The POA&M document of an assessment."""
    with paused_gc():
        return _build(assessment, oscal_version, definitions or {}, evidence_hrefs or {})


def _build(
    assessment: Assessment, oscal_version: str, definitions: Mapping[str, Any], evidence_hrefs: Mapping[str, str]
) -> JsonDict:
    index = ar._Index(assessment, evidence_hrefs)
    created = timestamp(assessment.created_at)
    frameworks = {f.id: f for f in assessment.frameworks}
    items: list[JsonDict] = []
    findings: list[JsonDict] = []
    risk_ids: dict[str, None] = {}
    observation_uuids: set[str] = set()
    for result in assessment.control_results:
        framework = frameworks.get(result.framework)
        if framework is None or result.status is not ControlStatus.NOT_SATISFIED:
            continue
        finding = ar.control_finding(index, framework, result)
        findings.append(finding)
        observation_uuids.update(o["observation-uuid"] for o in finding.get("related-observations", []))
        failed = [f for f in result.findings if (x := index.findings.get(f)) is not None and x.outcome is Outcome.FALSE]
        risk_ids.update(dict.fromkeys(f for f in failed if f not in index.accepted))
        control = framework.control(result.control_id)
        remediations = sorted({index.findings[f].remediation for f in failed if index.findings[f].remediation})
        item: JsonDict = {
            "uuid": oscal_uuid("poam-item", framework.id, result.control_id),
            "title": line(f"{result.control_id} {control.title if control else ''} is not satisfied"),
            "description": prose(
                result.reason + ("\n\nRemediation:\n\n" + "\n\n".join(remediations) if remediations else "")
            ),
            "props": props([prop("framework", framework.id), prop("control-id", result.control_id)]),
            "related-findings": [{"finding-uuid": finding["uuid"]}],
        }
        put(item, "related-observations", finding.get("related-observations", []))
        put(item, "related-risks", finding.get("related-risks", []))
        items.append(item)

    observations = [
        o
        for o in (
            *(ar.evidence_observation(index, e, created) for e in assessment.evidence),
            *(ar.finding_observation(index, f, created) for f in assessment.findings),
        )
        if o["uuid"] in observation_uuids
    ]
    risks = [ar.risk(index, index.findings[f], definitions) for f in risk_ids]
    subjects_used = {index.findings[f].subject for f in risk_ids}
    components = [ar.component(s) for s in assessment.subjects if s.id in subjects_used]

    organization = str(assessment.metadata.get("organization") or "")
    period = str(assessment.metadata.get("period") or "")
    body: JsonDict = {
        "uuid": oscal_uuid("poam", assessment.id),
        "metadata": metadata(
            "AI coding assistant identities: plan of action and milestones"
            + (f" for {organization}" if organization else "")
            + (f" ({period})" if period else ""),
            assessment.created_at,
            assessment.tool_version,
            oscal_version,
            properties=[prop("assessment-id", assessment.id), prop("tool-version", assessment.tool_version)],
            parties={"prepared-for": organization} if organization else None,
        ),
        "system-id": {"identifier-type": "https://ietf.org/rfc/rfc4122", "id": assessment.id},
    }
    if components:
        body["local-definitions"] = {"components": components}
    put(body, "observations", observations)
    put(body, "risks", risks)
    put(body, "findings", findings)
    # OSCAL requires at least one item; an empty plan says so explicitly.
    body["poam-items"] = items or [
        {
            "uuid": oscal_uuid("poam-item", assessment.id, "none"),
            "title": "No open findings",
            "description": "Every assessed control is satisfied; nothing to plan.",
        }
    ]
    return {"plan-of-action-and-milestones": body}
