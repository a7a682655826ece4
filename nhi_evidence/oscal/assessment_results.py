"""The OSCAL assessment-results document of one run.

Conventions (README section ``oscal``):
- one ``result`` per run, start = end = the assessment's ``created_at``;
- one observation per evidence record (method EXAMINE): subjects are the components built from it,
  ``relevant-evidence`` points at the evidence file (``href``) with its sha256 as a property;
- one observation per probe finding (method TEST), with the probe, outcome and severity as properties;
- one finding per assessed control: ``target.type`` ``objective-id``, ``target-id`` the control id,
  ``status.state`` satisfied / not-satisfied, linked to the observations that decided it;
- controls not assessed or not applicable (no such OSCAL state) are properties of the result named
  ``control-not-assessed`` / ``control-not-applicable``: value the control id, class the framework
  id, remarks the reason;
- one risk per failed probe finding, with the remediation text;
- the assistant identities are components in the result's ``local-definitions``, with capability
  tier and reasons as properties;
- ``reviewed-controls`` has one control selection per catalog, naming it and linking its file.

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/assessment-results/json-reference/ (every field
used here exists in 1.1.3 and 1.2.x).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from nhi_evidence.model import Assessment, ControlResult, ControlStatus, Evidence, Finding, Framework, Outcome, Subject
from nhi_evidence.oscal.common import (
    OSCAL_JSON,
    JsonDict,
    href,
    line,
    metadata,
    oscal_uuid,
    paused_gc,
    prop,
    props,
    prose,
    put,
    timestamp,
    token,
)

#: Statuses that become OSCAL findings; the others become result properties.
ASSESSED = (ControlStatus.SATISFIED, ControlStatus.NOT_SATISFIED)


def catalog_href(framework_id: str) -> str:
    """Relative path of a framework's OSCAL catalog inside the output folder.

    Framework ids come from data files (``--mappings``), so anything but letters, digits, ``.``,
    ``_`` and ``-`` becomes ``_`` and leading dots are dropped: the name never leaves ``catalogs/``.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", framework_id).lstrip(".") or "_"
    return f"catalogs/{safe}.json"


def catalog_resource_uuid(framework_id: str) -> str:
    """The uuid of the back-matter resource pointing at a framework's catalog file."""
    return oscal_uuid("catalog-resource", framework_id)


def component_uuid(subject_id: str) -> str:
    """The uuid of the component standing for a subject (shared by every document)."""
    return oscal_uuid("component", subject_id)


def evidence_observation_uuid(evidence_id: str) -> str:
    """The uuid of the EXAMINE observation of an evidence record."""
    return oscal_uuid("observation", "evidence", evidence_id)


def finding_observation_uuid(finding_id: str) -> str:
    """The uuid of the TEST observation of a probe finding."""
    return oscal_uuid("observation", "finding", finding_id)


def control_finding_uuid(framework_id: str, control_id: str) -> str:
    """The uuid of the OSCAL finding of a control (shared by assessment results and POA&M)."""
    return oscal_uuid("finding", framework_id, control_id)


def risk_uuid(finding_id: str) -> str:
    """The uuid of the risk of a failed probe finding."""
    return oscal_uuid("risk", finding_id)


def component(subject: Subject) -> JsonDict:
    """An assistant identity as a system component with its capability tier and reasons."""
    capability = subject.capability
    where = f" in {subject.repository}" if subject.repository else ""
    return {
        "uuid": component_uuid(subject.id),
        "type": "software",
        "title": line(subject.name, subject.id),
        "description": prose(f"{subject.kind} identity{where} at {subject.path or '.'}."),
        "props": props(
            [
                prop("subject-id", subject.id),
                prop("assistant-kind", subject.kind),
                prop("repository", subject.repository),
                prop("path", subject.path),
                prop("capability-tier", capability.tier.value),
                *(prop("capability-reason", reason) for reason in capability.reasons),
            ]
        ),
        "status": {"state": "operational"},
    }


class _Index:
    """Lookups built once, so every document is linear in the size of the assessment."""

    def __init__(self, assessment: Assessment, evidence_hrefs: Mapping[str, str]) -> None:
        self.assessment = assessment
        self.evidence = {e.id: e for e in assessment.evidence}
        self.findings = assessment.findings_by_id()
        self.subjects = assessment.subjects_by_id()
        self.subjects_of_evidence: dict[str, list[str]] = defaultdict(list)
        for subject in assessment.subjects:
            for evidence_id in subject.evidence_ids:
                self.subjects_of_evidence[evidence_id].append(subject.id)
        self.evidence_hrefs = evidence_hrefs
        # A false finding counted in a satisfied control was covered by an accepted risk.
        self.accepted: set[str] = set()
        for result in assessment.control_results:
            if result.status is ControlStatus.SATISFIED:
                self.accepted.update(
                    f for f in result.findings if (x := self.findings.get(f)) and x.outcome is Outcome.FALSE
                )

    def href_of(self, evidence: Evidence) -> str:
        return href(self.evidence_hrefs.get(evidence.id, evidence.source))


def _relevant_evidence(index: _Index, evidence: Evidence, described: bool = True) -> JsonDict:
    # OSCAL requires a description; the EXAMINE observation of the file carries the fuller one.
    detail = f" ({evidence.media_type}, {evidence.size} bytes)" if described else ""
    out: JsonDict = {"href": index.href_of(evidence), "description": prose(f"{evidence.source}{detail}.")}
    out["props"] = props([prop("sha256", evidence.sha256)])
    return out


def evidence_observation(index: _Index, evidence: Evidence, collected: str) -> JsonDict:
    """The EXAMINE observation of one evidence record."""
    out: JsonDict = {
        "uuid": evidence_observation_uuid(evidence.id),
        "title": line(f"Collected {evidence.source}"),
        "description": prose(f"The {evidence.collector} collector read {evidence.source}."),
        "props": props([prop("evidence-id", evidence.id), prop("collector", evidence.collector)]),
        "methods": ["EXAMINE"],
    }
    subjects = index.subjects_of_evidence.get(evidence.id)
    if subjects:
        out["subjects"] = [{"subject-uuid": component_uuid(s), "type": "component"} for s in sorted(set(subjects))]
    out["relevant-evidence"] = [_relevant_evidence(index, evidence)]
    out["collected"] = collected
    return out


def finding_observation(index: _Index, finding: Finding, collected: str) -> JsonDict:
    """The TEST observation of one probe finding."""
    location = ""
    if finding.location:
        location = finding.location.path + (f":{finding.location.line}" if finding.location.line else "")
    out: JsonDict = {
        "uuid": finding_observation_uuid(finding.id),
        "title": line(f"{finding.probe}: {finding.outcome.value}"),
        "description": prose(finding.message),
        "props": props(
            [
                prop("finding-id", finding.id),
                prop("probe", finding.probe),
                prop("outcome", finding.outcome.value),
                prop("severity", finding.severity.value),
                prop("location", location),
                prop("json-pointer", finding.location.pointer if finding.location else ""),
            ]
        ),
        "methods": ["TEST"],
    }
    if finding.outcome is Outcome.FALSE:
        out["types"] = ["finding"]
    if finding.subject in index.subjects:
        out["subjects"] = [{"subject-uuid": component_uuid(finding.subject), "type": "component"}]
    evidence = [index.evidence[e] for e in finding.evidence_ids if e in index.evidence]
    put(out, "relevant-evidence", [_relevant_evidence(index, e, described=False) for e in evidence])
    out["collected"] = collected
    return out


def risk(index: _Index, finding: Finding, definitions: Mapping[str, Any]) -> JsonDict:
    """The risk of a failed probe finding, with its remediation."""
    definition = definitions.get(finding.probe)
    statement = getattr(definition, "motivation", "") or f"The check {finding.probe} failed: {finding.message}"
    subject = index.subjects.get(finding.subject)
    remediation = finding.remediation or getattr(definition, "remediation", "") or "No remediation text is defined."
    acceptance = finding.values.get("acceptance")
    record: Mapping[str, Any] = acceptance if isinstance(acceptance, Mapping) else {}
    accepted = finding.id in index.accepted or record.get("status") == "accepted"
    out: JsonDict = {
        "uuid": risk_uuid(finding.id),
        "title": line(f"{finding.probe} failed for {subject.name if subject else finding.subject}"),
        "description": prose(finding.message),
        "statement": prose(statement),
        "props": props(
            [
                prop("finding-id", finding.id),
                prop("probe", finding.probe),
                prop("severity", finding.severity.value),
                prop("subject-id", finding.subject),
                # An accepted (or lapsed) risk carries its approver and expiry; the justification is in remarks.
                prop("acceptance-status", record.get("status", "")),
                prop("accepted-by", record.get("approved_by", ""), remarks=_acceptance_text(record)),
                prop("acceptance-expires", record.get("expires", "")),
            ]
        ),
        "status": "risk-accepted" if accepted else "open",
        "remediations": [
            {
                "uuid": oscal_uuid("remediation", finding.id),
                "lifecycle": "recommendation",
                "title": line(f"Remediate {finding.probe}"),
                "description": prose(remediation),
            }
        ],
        "related-observations": [{"observation-uuid": finding_observation_uuid(finding.id)}],
    }
    if record:
        out["description"] = prose(f"{finding.message}\n\n{_acceptance_text(record)}")
    return out


def _acceptance_text(record: Mapping[str, Any]) -> str:
    """One paragraph stating an acceptance (OSCAL risks have no remarks: it goes in description and prop remarks)."""
    if not record:
        return ""
    note = f" {record['note']}" if record.get("note") else ""
    return (
        f"Risk acceptance ({record.get('status', '')}) approved by {record.get('approved_by', '')} "
        f"until {record.get('expires', '')}: {record.get('justification', '')}{note}"
    )


def related_observation_uuids(index: _Index, result: ControlResult) -> list[str]:
    """TEST observations of the control's deciding findings, then EXAMINE observations of their evidence."""
    tests: list[str] = []
    examined: dict[str, None] = {}
    for finding_id in result.findings:
        finding = index.findings.get(finding_id)
        if finding is None:
            continue
        tests.append(finding_observation_uuid(finding_id))
        for evidence_id in finding.evidence_ids:
            if evidence_id in index.evidence:
                examined[evidence_observation_uuid(evidence_id)] = None
    return tests + list(examined)


def control_finding(index: _Index, framework: Framework, result: ControlResult) -> JsonDict:
    """The OSCAL finding of an assessed control."""
    control = framework.control(result.control_id)
    title = control.title if control else result.control_id
    satisfied = result.status is ControlStatus.SATISFIED
    out: JsonDict = {
        "uuid": control_finding_uuid(framework.id, result.control_id),
        "title": line(f"{result.control_id} {title}"),
        "description": prose(result.reason),
        "props": props(
            [
                prop("framework", framework.id),
                prop("control-status", result.status.value),
                prop("probes", " ".join(result.probes)),
            ]
        ),
        "target": {
            "type": "objective-id",
            "target-id": token(result.control_id),
            "props": props([prop("framework", framework.id), prop("label", control.label if control else "")]),
            "status": {"state": result.status.value, "reason": "pass" if satisfied else "fail"},
        },
    }
    related = related_observation_uuids(index, result)
    put(out, "related-observations", [{"observation-uuid": u} for u in related])
    failed = [
        f
        for f in result.findings
        if (x := index.findings.get(f)) is not None and x.outcome is Outcome.FALSE and f not in index.accepted
    ]
    put(out, "related-risks", [{"risk-uuid": risk_uuid(f)} for f in failed])
    return out


def reviewed_controls(frameworks: Sequence[Framework]) -> JsonDict:
    """One control selection per catalog, naming it and linking its OSCAL file."""
    selections = []
    for framework in frameworks:
        selection: JsonDict = {
            "description": prose(f"{framework.title} {framework.version} ({framework.id}), every control."),
            "props": props([prop("framework", framework.id)]),
            "links": [{"href": f"#{catalog_resource_uuid(framework.id)}", "rel": "reference"}],
        }
        put(selection, "include-controls", [{"control-id": token(c.id)} for c in framework.controls])
        if "include-controls" not in selection:
            selection["include-all"] = {}
        selections.append(selection)
    out: JsonDict = {
        "description": prose("The catalogs this run assessed: " + ", ".join(f.id for f in frameworks) + "."),
    }
    out["control-selections"] = selections or [{"include-all": {}}]
    return out


def _scope_text(assessment: Assessment) -> str:
    scope = assessment.scope
    roots = ", ".join(scope.roots) or "no path"
    return (
        f"nhi-evidence {assessment.tool_version} scanned {len(scope.repositories)} repositories under {roots}"
        f" with the collectors {', '.join(scope.collectors) or 'none'}."
    )


def build(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> JsonDict:
    """The assessment-results document of an assessment.

    ``definitions`` (probe id -> ProbeDefinition) supplies risk statements; ``evidence_hrefs`` maps an
    evidence id to the path of its copy (an audit pack), defaulting to the evidence source path;
    ``notes`` are added to the result's remarks.
    """
    with paused_gc():
        return _build(assessment, oscal_version, definitions or {}, evidence_hrefs or {}, notes)


def _build(
    assessment: Assessment,
    oscal_version: str,
    definitions: Mapping[str, Any],
    evidence_hrefs: Mapping[str, str],
    notes: Sequence[str],
) -> JsonDict:
    index = _Index(assessment, evidence_hrefs)
    created = timestamp(assessment.created_at)
    frameworks = {f.id: f for f in assessment.frameworks}
    organization = str(assessment.metadata.get("organization") or "")
    period = str(assessment.metadata.get("period") or "")
    plan_uuid = oscal_uuid("assessment-plan", assessment.id)

    observations = [evidence_observation(index, e, created) for e in assessment.evidence]
    observations += [finding_observation(index, f, created) for f in assessment.findings]
    risks = [risk(index, f, definitions) for f in assessment.findings if f.outcome is Outcome.FALSE]
    findings: list[JsonDict] = []
    unassessed: list[JsonDict | None] = []
    for result in assessment.control_results:
        framework = frameworks.get(result.framework)
        if framework is None:
            continue
        if result.status in ASSESSED:
            findings.append(control_finding(index, framework, result))
        else:
            unassessed.append(
                prop(f"control-{result.status.value}", result.control_id, cls=framework.id, remarks=result.reason)
            )
    errors = [prop("collection-error", e.path, remarks=e.message) for e in assessment.errors]
    skipped = [prop("skipped-source", s.path, remarks=s.reason) for s in assessment.skips]

    result_doc: JsonDict = {
        "uuid": oscal_uuid("result", assessment.id),
        "title": line(f"nhi-evidence scan {period}".strip()),
        "description": prose(_scope_text(assessment)),
        "start": created,
        "end": created,
    }
    put(result_doc, "props", props([prop("assessment-id", assessment.id), *unassessed, *errors, *skipped]))
    if assessment.subjects:
        result_doc["local-definitions"] = {"components": [component(s) for s in assessment.subjects]}
    result_doc["reviewed-controls"] = reviewed_controls(assessment.frameworks)
    put(result_doc, "observations", observations)
    put(result_doc, "risks", risks)
    put(result_doc, "findings", findings)
    put(result_doc, "remarks", "\n\n".join(notes))

    title = "AI coding assistant identities: assessment results"
    if organization:
        title += f" for {organization}"
    if period:
        title += f" ({period})"
    document: JsonDict = {
        "assessment-results": {
            "uuid": oscal_uuid("assessment-results", assessment.id),
            "metadata": metadata(
                title,
                assessment.created_at,
                assessment.tool_version,
                oscal_version,
                properties=[
                    prop("assessment-id", assessment.id),
                    prop("tool", "nhi-evidence"),
                    prop("tool-version", assessment.tool_version),
                    prop("period", period),
                ],
                parties={"prepared-for": organization} if organization else None,
            ),
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [result_doc],
            "back-matter": {
                "resources": [
                    {
                        "uuid": plan_uuid,
                        "title": "Assessment method: nhi-evidence scan",
                        "description": prose(
                            "No separate OSCAL assessment plan exists: the plan is the tool's collectors, probes and"
                            " control mappings applied to the scope below. " + _scope_text(assessment)
                        ),
                        "props": props([prop("type", "plan", ns=None)]),
                    },
                    *(
                        {
                            "uuid": catalog_resource_uuid(f.id),
                            "title": line(f"{f.title} {f.version}"),
                            "props": props([prop("framework", f.id)]),
                            "rlinks": [{"href": catalog_href(f.id), "media-type": OSCAL_JSON}],
                        }
                        for f in assessment.frameworks
                    ),
                ]
            },
        }
    }
    return document
