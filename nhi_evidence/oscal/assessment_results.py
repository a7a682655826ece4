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
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import (
    Assessment,
    ControlResult,
    ControlStatus,
    Evidence,
    Finding,
    Framework,
    Outcome,
    Severity,
    Subject,
)
from nhi_evidence.oscal.common import (
    OSCAL_JSON,
    JsonDict,
    Memo,
    href,
    line,
    metadata,
    oscal_uuid,
    prop,
    props,
    prose,
    put,
    timestamp,
    token,
)
from nhi_evidence.oscal.stream import Stream, materialise

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
    """Lookups built once, so every document is linear in the size of the assessment.

    Pieces that recur across observations (a subject reference, an evidence link, a property with
    one of few values) are built once and shared by every item that uses them: the documents are
    serialised, never modified, so sharing is safe and saves most of the build time at scale.
    """

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
        # Each table builds an entry the first time it is asked for it (``Memo``).
        self.subject_refs = Memo(_subject_ref)
        self.evidence_links: Memo[str, JsonDict] = Memo(
            lambda evidence_id: _relevant_evidence(self, self.evidence[evidence_id], False)
        )
        # The findings of one identity cite the same few evidence tuples: one list per tuple.
        self.evidence_lists: Memo[tuple[str, ...], list[JsonDict]] = Memo(
            lambda ids: [self.evidence_links[e] for e in ids if e in self.evidence]
        )
        self.verdicts = Memo(_verdict)
        self.test_titles = Memo(_test_title)
        self.test_uuids = Memo(finding_observation_uuid)
        self.risk_uuids = Memo(risk_uuid)
        self.risk_refs: Memo[str, JsonDict] = Memo(lambda finding_id: {"risk-uuid": self.risk_uuids[finding_id]})
        self.control_links: Memo[str, _Links | None] = Memo(self._control_links)

    def _control_links(self, finding_id: str) -> _Links | None:
        finding = self.findings.get(finding_id)
        if finding is None:
            return None
        failed = finding.outcome is Outcome.FALSE
        risk = self.risk_refs[finding_id] if failed and finding_id not in self.accepted else None
        return _Links(failed, {"observation-uuid": self.test_uuids[finding_id]}, risk)

    def href_of(self, evidence: Evidence) -> str:
        return href(self.evidence_hrefs.get(evidence.id, evidence.source))


class _Links(NamedTuple):
    """What a control finding links for one of its deciding findings."""

    failed: bool
    observation: JsonDict
    """The reference to its TEST observation."""
    risk: JsonDict | None
    """The reference to its open risk (None when it did not fail or an accepted risk covers it)."""


def _subject_ref(subject_id: str) -> list[JsonDict]:
    """The ``subjects`` list naming one component."""
    return [{"subject-uuid": component_uuid(subject_id), "type": "component"}]


def _verdict(key: tuple[str, Outcome, Severity]) -> tuple[JsonDict | None, ...]:
    """The probe, outcome and severity properties of a TEST observation."""
    probe, outcome, severity = key
    return (prop("probe", probe), prop("outcome", outcome.value), prop("severity", severity.value))


def _test_title(key: tuple[str, Outcome]) -> str:
    """The title of a TEST observation (``probe: outcome``)."""
    probe, outcome = key
    return line(f"{probe}: {outcome.value}")


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
    entries = [prop("finding-id", finding.id), *index.verdicts[finding.probe, finding.outcome, finding.severity]]
    location = finding.location
    if location:
        entries.append(prop("location", location.path + (f":{location.line}" if location.line else "")))
        if location.pointer:
            entries.append(prop("json-pointer", location.pointer))
    out: JsonDict = {
        "uuid": index.test_uuids[finding.id],
        "title": index.test_titles[finding.probe, finding.outcome],
        "description": prose(finding.message),
        "props": props(entries),
        "methods": _TEST,
    }
    if finding.outcome is Outcome.FALSE:
        out["types"] = _FINDING_TYPE
    if finding.subject in index.subjects:
        out["subjects"] = index.subject_refs[finding.subject]
    put(out, "relevant-evidence", index.evidence_lists[finding.evidence_ids])
    out["collected"] = collected
    return out


#: Shared constant lists of every TEST observation.
_TEST = ["TEST"]
_FINDING_TYPE = ["finding"]


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
        "uuid": index.risk_uuids[finding.id],
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
        "related-observations": [{"observation-uuid": index.test_uuids[finding.id]}],
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


def control_finding(
    index: _Index, framework: Framework, result: ControlResult, *, failed_only: bool = False
) -> JsonDict:
    """The OSCAL finding of an assessed control (with failed_only, linked to its failed observations only).

    It links the TEST observations of the control's deciding findings, not the EXAMINE observations
    of their evidence: each TEST observation links its evidence files, and the EXAMINE observation
    of a file has the same href.
    """
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
    # One pass over the deciding findings (hundreds of thousands for a control at scale); the link
    # entries are shared with every other control the same finding decides.
    observations: list[JsonDict] = []
    risks: list[JsonDict] = []
    control_links = index.control_links
    for finding_id in result.findings:
        links = control_links[finding_id]
        if links is None:
            continue
        failed, observation, risk_ref = links
        if failed or not failed_only:
            observations.append(observation)
        if risk_ref is not None:
            risks.append(risk_ref)
    put(out, "related-observations", observations)
    put(out, "related-risks", risks)
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
    """The assessment-results document of an assessment, whole in memory (small assessments, tests).

    ``definitions`` (probe id -> ProbeDefinition) supplies risk statements; ``evidence_hrefs`` maps an
    evidence id to the path of its copy (an audit pack), defaulting to the evidence source path;
    ``notes`` are added to the result's remarks.
    """
    with paused_gc():
        return materialise(
            skeleton(assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs, notes=notes)
        )


def skeleton(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    index: _Index | None = None,
) -> JsonDict:
    """The assessment-results document with its observations, risks, findings and components as streams.

    ``index``: lookups shared with another document of the same assessment (the POA&M).
    """
    index = index or _Index(assessment, evidence_hrefs or {})
    known = definitions or {}
    created = timestamp(assessment.created_at)
    frameworks = {f.id: f for f in assessment.frameworks}
    organization = str(assessment.metadata.get("organization") or "")
    period = str(assessment.metadata.get("period") or "")
    plan_uuid = oscal_uuid("assessment-plan", assessment.id)

    def observations() -> Iterator[JsonDict]:
        for evidence in assessment.evidence:
            yield evidence_observation(index, evidence, created)
        for finding in assessment.findings:
            yield finding_observation(index, finding, created)

    def risks() -> Iterator[JsonDict]:
        for finding in assessment.findings:
            if finding.outcome is Outcome.FALSE:
                yield risk(index, finding, known)

    def findings() -> Iterator[JsonDict]:
        for result in assessment.control_results:
            framework = frameworks.get(result.framework)
            if framework is not None and result.status in ASSESSED:
                yield control_finding(index, framework, result)

    unassessed: list[JsonDict | None] = [
        prop(f"control-{result.status.value}", result.control_id, cls=result.framework, remarks=result.reason)
        for result in assessment.control_results
        if result.framework in frameworks and result.status not in ASSESSED
    ]
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
        result_doc["local-definitions"] = {"components": Stream(lambda: map(component, assessment.subjects))}
    result_doc["reviewed-controls"] = reviewed_controls(assessment.frameworks)
    result_doc["observations"] = Stream(observations)
    result_doc["risks"] = Stream(risks)
    result_doc["findings"] = Stream(findings)
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
