"""The component definition's requirement lists, shared between identities and spliced in as bytes.

Identities deciding the same probes the same way share their requirement lists: each list is
validated and serialised once, and only the uuids differ per identity. These tests build many
identities sharing a few combinations and check the result against what each requirement must be,
independently of how the bytes were assembled.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.model import Assessment, ControlStatus, Framework, Outcome, Tier
from nhi_evidence.oscal import component_definition, stream
from nhi_evidence.oscal.common import OSCAL_VERSIONS, oscal_uuid, oscal_uuids, token
from nhi_evidence.oscal.validate import OscalValidationError, check
from tests.oscal.conftest import AssessmentBuilder


def _shared_assessment() -> Assessment:
    """Six identities: all pass one probe, half fail another, one decides nothing."""
    b = AssessmentBuilder()
    first, second = [], []
    for number in range(6):
        evidence = b.add_evidence(f"acme/repo{number}/.claude/settings.json", repository=f"acme/repo{number}")
        subject = b.add_subject(
            "claude-code", f"Claude Code in acme/repo{number}", f"acme/repo{number}/.claude", Tier.LOCAL_ACTOR, evidence
        )
        if number == 5:
            b.add_finding("bypassPermissionsDisabled", subject, Outcome.NOT_AVAILABLE)
            continue
        first.append(b.add_finding("bypassPermissionsDisabled", subject, Outcome.TRUE))
        second.append(b.add_finding("secretsNotInConfig", subject, Outcome.FALSE if number % 2 else Outcome.TRUE))

    def decide(framework: Framework, position: int) -> tuple[ControlStatus, tuple[str, ...]]:
        match position % 3:
            case 0:
                return ControlStatus.SATISFIED, tuple(f.id for f in first)
            case 1:
                return ControlStatus.NOT_SATISFIED, tuple(f.id for f in (*first, *second))
            case _:
                return ControlStatus.NOT_ASSESSED, ()

    return b.build(load_frameworks(), decide)


def _written(assessment: Assessment, version: str) -> bytes:
    return stream.dumps(component_definition.skeleton(assessment, version))


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_each_requirement_is_the_one_its_identity_and_control_call_for(version: str) -> None:
    assessment = _shared_assessment()
    data = _written(assessment, version)
    document = json.loads(data)
    check(document, version)
    # The bytes are those the standard library gives for the same document.
    assert data == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    subjects = {s.name: s for s in assessment.subjects}
    outcomes: dict[str, dict[str, str]] = {}
    for finding in assessment.findings:
        if finding.outcome in (Outcome.TRUE, Outcome.FALSE):
            outcomes.setdefault(finding.subject, {})[finding.probe] = finding.outcome.value
    spliced = 0
    for component in document["component-definition"]["components"]:
        subject = subjects[component["title"]]
        decided = outcomes.get(subject.id, {})
        implementations = component.get("control-implementations", [])
        assert bool(implementations) == bool(decided)
        if not decided:
            continue
        for implementation, framework in zip(implementations, assessment.frameworks, strict=True):
            expected = [
                result
                for result in assessment.control_results
                if result.framework == framework.id and set(result.probes) & set(decided)
            ]
            requirements = implementation["implemented-requirements"]
            assert [r["control-id"] for r in requirements] == [r.control_id for r in expected]
            for requirement, result in zip(requirements, expected, strict=True):
                assert requirement["uuid"] == oscal_uuid(
                    "implemented-requirement", subject.id, framework.id, result.control_id
                )
                status = next(p["value"] for p in requirement["props"] if p["name"] == "assessed-status")
                failed = any(decided.get(probe) == "false" for probe in result.probes)
                assert status == ("not-satisfied" if failed else "satisfied")
            spliced += len(requirements) - 1
    assert spliced > 20


def _after_the_first_component(monkeypatch: pytest.MonkeyPatch, name: str, broken: Any) -> None:
    """Replace a function of the module by broken once the first component is built.

    The first item of a stream is validated with the document's skeleton, whole: what is spliced
    into later components is what these tests are about. The first component works out one
    requirement list per framework (``_requirements``), then others follow.
    """
    original = getattr(component_definition, name)
    first_lists = len(load_frameworks())
    lists = 0
    make_lists = component_definition._requirements

    def counting(*args: Any) -> Any:
        nonlocal lists
        lists += 1
        return make_lists(*args)

    def switched(*args: Any) -> Any:
        return (broken if lists > first_lists else original)(*args)

    monkeypatch.setattr(component_definition, "_requirements", counting)
    monkeypatch.setattr(component_definition, name, switched)


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_a_requirement_after_the_first_is_validated(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = _shared_assessment()
    # The last control with decided probes: never the first requirement of its list.
    last = [r for r in assessment.control_results if r.framework == assessment.frameworks[0].id and r.probes][-1]
    _after_the_first_component(
        monkeypatch, "token", lambda text: "not a token" if text == last.control_id else token(text)
    )
    with pytest.raises(OscalValidationError, match="implemented-requirements"):
        _written(assessment, version)


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_the_uuids_of_spliced_requirements_are_validated(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(kind: str, prefix: tuple[str, ...], lasts: list[str]) -> list[str]:
        return [*oscal_uuids(kind, prefix, lasts)[:-1], "not-a-uuid"]

    _after_the_first_component(monkeypatch, "oscal_uuids", broken)
    with pytest.raises(OscalValidationError, match="not-a-uuid"):
        _written(_shared_assessment(), version)


@pytest.mark.parametrize(
    ("prefix", "lasts"),
    [(("subject", "framework"), ["NHI1", "a\x1fb", ""]), ((), ["x", "y\x1f"]), (("a\x1f", "é"), ["z"])],
)
def test_uuids_sharing_a_prefix_equal_those_made_one_by_one(prefix: tuple[str, ...], lasts: list[str]) -> None:
    assert oscal_uuids("implemented-requirement", prefix, lasts) == [
        oscal_uuid("implemented-requirement", *prefix, last) for last in lasts
    ]
