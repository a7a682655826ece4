"""The OSCAL component-definition: each assistant identity with its control implementations.

Each subject (assistant identity) is a ``software`` component with its capability tier and reasons
as properties. For every framework, its ``control-implementations`` list each control whose linked
probes ran on that subject, with the subject-level status as the ``assessed-status`` property
(not-satisfied when any linked probe is false for the subject, satisfied when at least one is true
and none false) and the probes' outcomes as the description (their messages are the component's
TEST observations in the assessment results).

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/component-definition/json-reference/
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import Assessment, ControlResult, Finding, Framework, Outcome, Subject
from nhi_evidence.oscal.assessment_results import catalog_href, component_uuid
from nhi_evidence.oscal.common import JsonDict, line, metadata, oscal_uuid, prop, props, prose, put, token
from nhi_evidence.oscal.stream import Stream, materialise

#: (framework id, position in the framework's control results, control result) per probe.
_ControlsOfProbe = dict[str, list[tuple[int, ControlResult]]]


def _subject_component(
    subject: Subject,
    frameworks: Sequence[Framework],
    controls_of_probe: Mapping[str, _ControlsOfProbe],
    findings: Sequence[Finding],
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
    decided = [f for f in findings if f.outcome in (Outcome.TRUE, Outcome.FALSE)]
    implementations: list[JsonDict] = []
    for framework in frameworks:
        # Control position -> (control result, the subject's decided findings of its probes).
        touched: dict[int, tuple[ControlResult, list[Finding]]] = {}
        by_probe = controls_of_probe.get(framework.id, {})
        for finding in decided:
            for position, result in by_probe.get(finding.probe, ()):
                touched.setdefault(position, (result, []))[1].append(finding)
        requirements: list[JsonDict] = []
        for position in sorted(touched):
            result, concerned = touched[position]
            outcomes = tuple(sorted({(f.probe, f.outcome.value) for f in concerned}))
            requirements.append(
                {
                    "uuid": oscal_uuid("implemented-requirement", subject.id, framework.id, result.control_id),
                    "control-id": token(result.control_id),
                    **_requirement_text(outcomes),
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


@functools.lru_cache(maxsize=4096)
def _requirement_text(outcomes: tuple[tuple[str, str], ...]) -> JsonDict:
    """Description and properties of a requirement decided by these (probe, outcome) pairs.

    The same combinations recur across thousands of identities, so each is built once and shared
    (documents are serialised, never modified).
    """
    failed = any(outcome == Outcome.FALSE.value for _, outcome in outcomes)
    return {
        # The findings' messages are the TEST observations of this component in the assessment
        # results; repeating them per control made this document grow with controls x findings.
        "description": prose("Probe outcomes for this identity: " + ", ".join(f"{p} {o}" for p, o in outcomes) + "."),
        "props": props(
            [
                prop("assessed-status", "not-satisfied" if failed else "satisfied"),
                prop("probes", " ".join(sorted({p for p, _ in outcomes}))),
            ]
        ),
    }


def build(assessment: Assessment, oscal_version: str) -> JsonDict:
    """The component-definition document of an assessment, whole in memory (small assessments, tests)."""
    with paused_gc():
        return materialise(skeleton(assessment, oscal_version))


def skeleton(assessment: Assessment, oscal_version: str) -> JsonDict:
    """The component-definition document with its components as a stream."""
    findings_of: dict[str, list[Finding]] = defaultdict(list)
    for finding in assessment.findings:
        findings_of[finding.subject].append(finding)
    controls_of_probe: dict[str, _ControlsOfProbe] = defaultdict(lambda: defaultdict(list))
    for position, result in enumerate(assessment.control_results):
        for probe in result.probes:
            controls_of_probe[result.framework][probe].append((position, result))
    frameworks = assessment.frameworks
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
    body["components"] = Stream(
        lambda: (
            _subject_component(s, frameworks, controls_of_probe, findings_of.get(s.id, ())) for s in assessment.subjects
        )
    )
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
