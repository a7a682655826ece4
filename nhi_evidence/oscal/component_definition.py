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
from collections.abc import Sequence

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import Assessment, ControlResult, Finding, Framework, Outcome, Subject
from nhi_evidence.oscal.assessment_results import catalog_href, component_uuid
from nhi_evidence.oscal.common import JsonDict, Memo, line, metadata, oscal_uuid, prop, props, prose, put, token
from nhi_evidence.oscal.stream import Stream, materialise

#: (framework id, position in the framework's control results, control result) per probe.
_ControlsOfProbe = dict[str, list[tuple[int, ControlResult]]]


#: (framework id, the sorted (probe, outcome) pairs a subject decided) -> (control id, requirement
#: without its uuid) of each control they decide.
_RequirementsOf = Memo[tuple[str, tuple[tuple[str, str], ...]], list[tuple[str, JsonDict]]]


def _subject_component(
    subject: Subject,
    frameworks: Sequence[Framework],
    findings: Sequence[Finding],
    requirements_of: _RequirementsOf,
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
    # A subject's requirements depend only on which probes it decided and how, and thousands of
    # identities share the same few combinations: each combination is worked out once per framework.
    decided = tuple(sorted({(f.probe, f.outcome.value) for f in findings if f.outcome in _DECIDED}))
    implementations: list[JsonDict] = []
    for framework in frameworks:
        shared = requirements_of[framework.id, decided]
        if shared:
            implementations.append(
                {
                    "uuid": oscal_uuid("control-implementation", subject.id, framework.id),
                    "source": catalog_href(framework.id),
                    "description": prose(
                        f"Controls of {framework.title} {framework.version} evidenced for {subject.name} by this run."
                    ),
                    "implemented-requirements": [
                        {"uuid": oscal_uuid("implemented-requirement", subject.id, framework.id, control_id), **rest}
                        for control_id, rest in shared
                    ],
                }
            )
    put(out, "control-implementations", implementations)
    return out


#: Outcomes that decide a control for a subject.
_DECIDED = frozenset({Outcome.TRUE, Outcome.FALSE})


def _requirements(by_probe: _ControlsOfProbe, decided: tuple[tuple[str, str], ...]) -> list[tuple[str, JsonDict]]:
    """(control id, requirement without uuid) of the controls linked to these decided (probe, outcome) pairs."""
    # Control position -> (control result, the (probe, outcome) pairs of its probes).
    touched: dict[int, tuple[ControlResult, set[tuple[str, str]]]] = {}
    for probe, outcome in decided:
        for position, result in by_probe.get(probe, ()):
            touched.setdefault(position, (result, set()))[1].add((probe, outcome))
    requirements: list[tuple[str, JsonDict]] = []
    for position in sorted(touched):
        result, concerned = touched[position]
        text = _requirement_text(tuple(sorted(concerned)))
        requirements.append((result.control_id, {"control-id": token(result.control_id), **text}))
    return requirements


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
    requirements_of: _RequirementsOf = Memo(lambda key: _requirements(controls_of_probe.get(key[0], {}), key[1]))
    body["components"] = Stream(
        lambda: (
            _subject_component(s, frameworks, findings_of.get(s.id, ()), requirements_of) for s in assessment.subjects
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
