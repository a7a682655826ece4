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
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence

import pydantic_core

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.jsonstream import JsonPath
from nhi_evidence.model import Assessment, ControlResult, Finding, Framework, Outcome, Subject
from nhi_evidence.oscal import stream
from nhi_evidence.oscal.assessment_results import catalog_href, component_uuid
from nhi_evidence.oscal.common import (
    JsonDict,
    Memo,
    line,
    metadata,
    oscal_uuid,
    oscal_uuids,
    prop,
    props,
    prose,
    put,
    token,
)
from nhi_evidence.oscal.stream import Raw, Stream, materialise

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
    splicer: _Splicer,
) -> Raw:
    """One identity's component, serialised, its requirements after the first of each list spliced in as bytes."""
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
    # (list holding the first requirement, the shared requirements, their uuids) per implementation.
    spliced: list[tuple[list[JsonDict], _Requirements, list[str]]] = []
    for framework in frameworks:
        shared = requirements_of[framework.id, decided]
        if shared:
            uuids = oscal_uuids(
                "implemented-requirement", (subject.id, framework.id), [control_id for control_id, _ in shared]
            )
            first: list[JsonDict] = [{"uuid": uuids[0], **shared[0][1]}]
            implementations.append(
                {
                    "uuid": oscal_uuid("control-implementation", subject.id, framework.id),
                    "source": catalog_href(framework.id),
                    "description": prose(
                        f"Controls of {framework.title} {framework.version} evidenced for {subject.name} by this run."
                    ),
                    "implemented-requirements": first,
                }
            )
            spliced.append((first, shared, uuids))
    put(out, "control-implementations", implementations)
    return splicer.component(out, spliced)


#: (control id, requirement without its uuid) of each control one combination of outcomes decides.
_Requirements = list[tuple[str, JsonDict]]
_MODEL = "component-definition"
_COMPONENTS: JsonPath = (_MODEL, "components")
_REQUIREMENTS: JsonPath = (*_COMPONENTS, 0, "control-implementations", 0, "implemented-requirements")
#: A valid uuid standing for each requirement's own in the serialised requirement lists.
_PLACEHOLDER = "00000000-0000-5000-8000-000000000000"


class _Splicer:
    """Serialises components whose requirement lists repeat across identities, validating what it writes.

    At 10,000 repositories the document holds 25,000 components naming 680,000 requirements, and
    the requirements of one list differ between identities only by their uuids. Each shared list
    is validated against the schema's implemented-requirement definition and serialised once
    (a placeholder uuid in each requirement); a component is validated against the component
    definition with the first requirement of each list in place, the uuids of the others against
    the schema's uuid type, and its bytes are those of the whole component (``stream.Raw``):
    the first requirements serialised in place, the others spliced in after them with their uuids.
    """

    def __init__(self, oscal_version: str) -> None:
        self.version = oscal_version
        self.components = stream.item_validator(_MODEL, oscal_version, _COMPONENTS)
        self.requirements = stream.item_validator(_MODEL, oscal_version, _REQUIREMENTS)
        self.uuids = stream.values_validator(_MODEL, oscal_version, (*_REQUIREMENTS, 0, "uuid"))
        # Where the rest of a list goes: a string no value of the document can equal.
        self.mark = f"\x00nhi-evidence-requirements:{secrets.token_hex(16)}"
        # (id of a shared list, indentation) -> the bytes around the uuids of its requirements after the
        # first. The lists live in the skeleton's table (``_RequirementsOf``) as long as this object.
        self.templates: dict[tuple[int, bytes], list[bytes]] = {}

    def component(self, out: JsonDict, spliced: Sequence[tuple[list[JsonDict], _Requirements, list[str]]]) -> Raw:
        """The component's bytes (validated), out holding each list's first requirement only."""
        stream.check_item(self.components, _MODEL, self.version, _COMPONENTS, out)
        rest = [uuid for _, _, uuids in spliced for uuid in uuids[1:]]
        stream.check_item(self.uuids, _MODEL, self.version, (*_REQUIREMENTS, "*", "uuid"), rest)
        marks: list[tuple[bytes, _Requirements, list[str]]] = []
        for number, (first, shared, uuids) in enumerate(spliced):
            if len(shared) > 1:
                mark = f"{self.mark}:{number}"
                first.append(mark)  # type: ignore[arg-type] # replaced by bytes below
                marks.append((pydantic_core.to_json(mark), shared, uuids))
        data = pydantic_core.to_json(out, indent=2)
        if not marks:
            return Raw(data)
        pieces: list[bytes] = []
        position = 0
        for mark_bytes, shared, uuids in marks:
            at = data.index(mark_bytes, position)
            indent = data[data.rindex(b"\n", 0, at) + 1 : at]
            pieces.append(data[position:at])
            chunks = self._template(shared, indent)
            for chunk, uuid in zip(chunks[:-1], uuids[1:], strict=True):
                pieces.append(chunk)
                pieces.append(uuid.encode("ascii"))
            pieces.append(chunks[-1])
            position = at + len(mark_bytes)
        pieces.append(data[position:])
        return Raw(b"".join(pieces))

    def _template(self, shared: _Requirements, indent: bytes) -> list[bytes]:
        """The bytes of a shared list's requirements after the first, cut where each one's uuid goes."""
        key = (id(shared), indent)
        chunks = self.templates.get(key)
        if chunks is None:
            chunks = []
            newline = b"\n" + indent
            pending = b""
            for position, (_, requirement) in enumerate(shared[1:]):
                item = {"uuid": _PLACEHOLDER, **requirement}
                stream.check_item(self.requirements, _MODEL, self.version, _REQUIREMENTS, item)
                # The uuid is the first key: its placeholder is the first one in the bytes.
                head, tail = (
                    pydantic_core.to_json(item, indent=2).replace(b"\n", newline).split(_PLACEHOLDER.encode(), 1)
                )
                chunks.append(pending + (b",\n" + indent if position else b"") + head)
                pending = tail
            chunks.append(pending)
            self.templates[key] = chunks
        return chunks


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

    def components() -> Iterator[Raw]:
        splicer = _Splicer(oscal_version)
        for subject in assessment.subjects:
            yield _subject_component(subject, frameworks, findings_of.get(subject.id, ()), requirements_of, splicer)

    body["components"] = Stream(components)
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
