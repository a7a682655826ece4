"""The OSCAL plan-of-action-and-milestones: one item per open (not-satisfied) control finding.

Each POA&M item links the control finding (same uuid as in assessment-results, here linked to the
TEST observations of its failed probe findings only) and the open risks of those findings; the
findings, risks and observations are repeated in the POA&M so that it is self-contained (OSCAL
resolves ``finding-uuid``, ``risk-uuid`` and ``observation-uuid`` within the document). Items do
not repeat the observations: they are reachable through the item's finding and risks. The assistant
identities concerned are components in ``local-definitions``; ``system-id`` is the assessment id.

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/plan-of-action-and-milestones/json-reference/
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import Assessment, ControlResult, ControlStatus, Framework
from nhi_evidence.oscal import assessment_results as ar
from nhi_evidence.oscal.common import (
    JsonDict,
    line,
    metadata,
    oscal_uuid,
    prop,
    props,
    prose,
    put,
    timestamp,
)
from nhi_evidence.oscal.repeated import RepeatedItems
from nhi_evidence.oscal.stream import Raw, Stream, materialise


def build(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
) -> JsonDict:
    """The POA&M document of an assessment, whole in memory (small assessments, tests)."""
    with paused_gc():
        return materialise(skeleton(assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs))


@dataclass(frozen=True)
class Plan:
    """What the POA&M concerns: the open controls and the failed probe findings behind them."""

    open_results: list[tuple[Framework, ControlResult]]
    """(framework, control result) of every not-satisfied control, in assessment order."""
    failed_ids: set[str]
    """Failed findings of those controls: their TEST observations are repeated in the POA&M."""
    risk_ids: dict[str, None]
    """The failed findings no accepted risk covers, in plan order: the POA&M's open risks."""


def plan(assessment: Assessment, index: ar._Index) -> Plan:
    """The open controls and failed findings of an assessment's POA&M."""
    frameworks = {f.id: f for f in assessment.frameworks}
    open_results = [
        (framework, result)
        for result in assessment.control_results
        if (framework := frameworks.get(result.framework)) is not None and result.status is ControlStatus.NOT_SATISFIED
    ]
    failed_ids: set[str] = set()
    risk_ids: dict[str, None] = {}
    for _, result in open_results:
        for finding_id in result.findings:
            # The control findings' own links: whether the finding failed, and its open risk if any.
            links = index.control_links[finding_id]
            if links is not None and links.failed:
                failed_ids.add(finding_id)
                if links.risk is not None:
                    risk_ids[finding_id] = None
    return Plan(open_results, failed_ids, risk_ids)


def repeated_uuids(the_plan: Plan, index: ar._Index) -> set[str]:
    """The uuids of the observations and risks the POA&M repeats from the assessment results."""
    return {index.test_uuids[f] for f in the_plan.failed_ids} | {index.risk_uuids[f] for f in the_plan.risk_ids}


def skeleton(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    index: ar._Index | None = None,
    repeated: RepeatedItems | None = None,
) -> JsonDict:
    """The POA&M document with its observations, risks, findings, items and components as streams.

    ``index``: lookups shared with the assessment results; ``repeated``: the bytes of observations
    and risks recorded while the assessment results were written, used instead of building them.
    """
    index = index or ar._Index(assessment, evidence_hrefs or {})
    known = definitions or {}
    created = timestamp(assessment.created_at)
    the_plan = plan(assessment, index)
    open_results, failed_ids, risk_ids = the_plan.open_results, the_plan.failed_ids, the_plan.risk_ids
    subjects_used = {index.findings[f].subject for f in risk_ids}

    def findings() -> Iterator[JsonDict]:
        for framework, result in open_results:
            yield ar.control_finding(index, framework, result, failed_only=True)

    def items() -> Iterator[JsonDict]:
        for framework, result in open_results:
            failed = [f for f in result.findings if f in failed_ids]
            control = framework.control(result.control_id)
            remediations = sorted({index.findings[f].remediation for f in failed if index.findings[f].remediation})
            item: JsonDict = {
                "uuid": oscal_uuid("poam-item", framework.id, result.control_id),
                "title": line(f"{result.control_id} {control.title if control else ''} is not satisfied"),
                "description": prose(
                    result.reason + ("\n\nRemediation:\n\n" + "\n\n".join(remediations) if remediations else "")
                ),
                "props": props([prop("framework", framework.id), prop("control-id", result.control_id)]),
                "related-findings": [{"finding-uuid": ar.control_finding_uuid(framework.id, result.control_id)}],
            }
            # The item's observations are reachable through its finding; only its open risks are listed.
            put(item, "related-risks", [index.risk_refs[f] for f in failed if f in risk_ids])
            yield item
        if not open_results:
            # OSCAL requires at least one item; an empty plan says so explicitly.
            yield {
                "uuid": oscal_uuid("poam-item", assessment.id, "none"),
                "title": "No open findings",
                "description": "Every assessed control is satisfied; nothing to plan.",
            }

    def observations() -> Iterator[JsonDict | Raw]:
        for finding in assessment.findings:
            if finding.id in failed_ids:
                kept = repeated.take(index.test_uuids[finding.id]) if repeated else None
                yield kept if kept is not None else ar.finding_observation(index, finding, created)

    def risks() -> Iterator[JsonDict | Raw]:
        for finding_id in risk_ids:
            kept = repeated.take(index.risk_uuids[finding_id]) if repeated else None
            yield kept if kept is not None else ar.risk(index, index.findings[finding_id], known)

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
    if subjects_used:
        body["local-definitions"] = {
            "components": Stream(lambda: (ar.component(s) for s in assessment.subjects if s.id in subjects_used))
        }
    body["observations"] = Stream(observations)
    body["risks"] = Stream(risks)
    body["findings"] = Stream(findings)
    body["poam-items"] = Stream(items)
    return {"plan-of-action-and-milestones": body}
