"""The OSCAL component-definition: each assistant identity with its control implementations.

Each subject (assistant identity) is a ``software`` component with its capability tier and reasons
as properties. For every framework, its ``control-implementations`` list each control whose linked
probes ran on that subject, with the subject-level status as the ``assessed-status`` property
(not-satisfied when any linked probe is false for the subject, satisfied when at least one is true
and none false) and the probes' messages as the description.

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/component-definition/json-reference/
"""

from __future__ import annotations

from collections import defaultdict

from nhi_evidence.model import Assessment, Finding, Outcome, Subject
from nhi_evidence.oscal.assessment_results import catalog_href, component_uuid
from nhi_evidence.oscal.common import JsonDict, line, metadata, oscal_uuid, prop, props, prose, put, token


def _subject_component(
    subject: Subject, assessment: Assessment, by_subject_probe: dict[tuple[str, str], list[Finding]]
) -> JsonDict:
    capability = subject.capability
    out: JsonDict = {
        "uuid": component_uuid(subject.id),
        "type": "software",
        "title": line(subject.name, subject.id),
        "description": prose(f"{subject.kind} identity at {subject.path or '.'}."),
        "purpose": line(f"AI coding assistant identity ({subject.kind}), capability tier {capability.tier.value}."),
        "props": props(
            [
                prop("subject-id", subject.id),
                prop("assistant-kind", subject.kind),
                prop("repository", subject.repository),
                prop("capability-tier", capability.tier.value),
                *(prop("capability-reason", reason) for reason in capability.reasons),
            ]
        ),
    }
    implementations: list[JsonDict] = []
    for framework in assessment.frameworks:
        requirements: list[JsonDict] = []
        for result in assessment.control_results:
            if result.framework != framework.id:
                continue
            findings = [f for p in result.probes for f in by_subject_probe.get((subject.id, p), [])]
            decided = [f for f in findings if f.outcome in (Outcome.TRUE, Outcome.FALSE)]
            if not decided:
                continue
            failed = any(f.outcome is Outcome.FALSE for f in decided)
            requirements.append(
                {
                    "uuid": oscal_uuid("implemented-requirement", subject.id, framework.id, result.control_id),
                    "control-id": token(result.control_id),
                    "description": prose("\n\n".join(sorted({f.message for f in decided}))),
                    "props": props(
                        [
                            prop("assessed-status", "not-satisfied" if failed else "satisfied"),
                            prop("probes", " ".join(sorted({f.probe for f in decided}))),
                        ]
                    ),
                }
            )
        if requirements:
            implementations.append(
                {
                    "uuid": oscal_uuid("control-implementation", subject.id, framework.id),
                    "source": catalog_href(framework.id),
                    "description": prose(
                        f"Controls of {framework.title} {framework.version} evidenced for {subject.name} by this run."
                    ),
                    "implemented-requirements": requirements,
                }
            )
    put(out, "control-implementations", implementations)
    return out


def build(assessment: Assessment, oscal_version: str) -> JsonDict:
    """The component-definition document of an assessment."""
    by_subject_probe: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in assessment.findings:
        by_subject_probe[(finding.subject, finding.probe)].append(finding)
    organization = str(assessment.metadata.get("organization") or "")
    body: JsonDict = {
        "uuid": oscal_uuid("component-definition", assessment.id),
        "metadata": metadata(
            "AI coding assistant identities: components" + (f" of {organization}" if organization else ""),
            assessment.created_at,
            assessment.tool_version,
            oscal_version,
            properties=[prop("assessment-id", assessment.id), prop("tool-version", assessment.tool_version)],
            parties={"prepared-for": organization} if organization else None,
        ),
    }
    put(body, "components", [_subject_component(s, assessment, by_subject_probe) for s in assessment.subjects])
    body["back-matter"] = {
        "resources": [
            {
                "uuid": oscal_uuid("catalog-resource", f.id),
                "title": line(f"{f.title} {f.version}"),
                "props": props([prop("framework", f.id)]),
                "rlinks": [{"href": catalog_href(f.id), "media-type": "application/oscal+json"}],
            }
            for f in assessment.frameworks
        ]
    }
    if not body["back-matter"]["resources"]:
        del body["back-matter"]
    return {"component-definition": body}
