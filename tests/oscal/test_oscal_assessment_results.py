"""The assessment-results conventions of README section ``oscal``, checked on the sample assessment."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from nhi_evidence.model import Assessment, ControlStatus, Outcome
from nhi_evidence.oscal import assessment_results
from nhi_evidence.oscal.common import NS, is_token, token


@pytest.fixture
def result(assessment: Assessment) -> dict[str, Any]:
    document = assessment_results.build(assessment, "1.2.1")
    results = document["assessment-results"]["results"]
    assert len(results) == 1, "one result per run"
    return dict(results[0])


def ours(props: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [p for p in props if p["name"] == name and p.get("ns") == NS]


def test_one_examine_observation_per_evidence_record(assessment: Assessment, result: dict[str, Any]) -> None:
    examine = [o for o in result["observations"] if o["methods"] == ["EXAMINE"]]
    assert len(examine) == len(assessment.evidence)
    by_id = {ours(o["props"], "evidence-id")[0]["value"]: o for o in examine}
    for evidence in assessment.evidence:
        observation = by_id[evidence.id]
        (relevant,) = observation["relevant-evidence"]
        assert ours(relevant["props"], "sha256")[0]["value"] == evidence.sha256
        assert observation["collected"] == "2026-11-25T12:00:00Z"
    # The workflow evidence is shared by two subjects; a path with a space is percent-encoded.
    workflow = next(o for o in examine if "workflows" in o["title"])
    assert workflow["relevant-evidence"][0]["href"] == "acme/api/.github/workflows/claude%20review.yml"
    settings = next(o for o in examine if o["title"].endswith("settings.json"))
    assert len(settings["subjects"]) == 2


def test_one_test_observation_per_probe_finding(assessment: Assessment, result: dict[str, Any]) -> None:
    tests = [o for o in result["observations"] if o["methods"] == ["TEST"]]
    assert len(tests) == len(assessment.findings)
    outcomes = Counter(ours(o["props"], "outcome")[0]["value"] for o in tests)
    assert outcomes == Counter(f.outcome.value for f in assessment.findings)
    failed = [o for o in tests if o.get("types") == ["finding"]]
    assert len(failed) == sum(f.outcome is Outcome.FALSE for f in assessment.findings)


def test_a_finding_per_assessed_control_targets_the_control_id(assessment: Assessment, result: dict[str, Any]) -> None:
    assessed = [r for r in assessment.control_results if r.status in assessment_results.ASSESSED]
    assert len(result["findings"]) == len(assessed)
    by_target = {(ours(f["props"], "framework")[0]["value"], f["target"]["target-id"]): f for f in result["findings"]}
    observation_uuids = {o["uuid"] for o in result["observations"]}
    for control in assessed:
        finding = by_target[(control.framework, control.control_id)]
        assert finding["target"]["type"] == "objective-id"
        assert finding["target"]["status"]["state"] == control.status.value
        related = [r["observation-uuid"] for r in finding["related-observations"]]
        assert related
        assert set(related) <= observation_uuids
    # Official short ids are used as they are.
    targets = {f["target"]["target-id"] for f in result["findings"]}
    assert {"NHI1", "ASI01", "GV.OC-01"} <= targets


def test_unassessed_controls_are_listed_with_their_reason(assessment: Assessment, result: dict[str, Any]) -> None:
    for status in (ControlStatus.NOT_ASSESSED, ControlStatus.NOT_APPLICABLE):
        expected = [r for r in assessment.control_results if r.status is status]
        listed = ours(result["props"], f"control-{status.value}")
        assert len(listed) == len(expected) > 0
        assert {(p["class"], p["value"]) for p in listed} == {(r.framework, r.control_id) for r in expected}
        assert all(p["remarks"] == r.reason for p, r in zip(listed, expected, strict=True))


def test_risks_for_failed_probes_carry_remediation_and_acceptance(
    assessment: Assessment, result: dict[str, Any]
) -> None:
    failed = [f for f in assessment.findings if f.outcome is Outcome.FALSE]
    risks = {ours(r["props"], "finding-id")[0]["value"]: r for r in result["risks"]}
    assert set(risks) == {f.id for f in failed}
    for finding in failed:
        risk = risks[finding.id]
        assert risk["remediations"][0]["description"] == finding.remediation
    # secretsNotInConfig is false but counted in a satisfied control: an accepted risk.
    statuses = {ours(r["props"], "probe")[0]["value"]: r["status"] for r in result["risks"]}
    assert statuses == {"workflowPermissionsMinimal": "open", "secretsNotInConfig": "risk-accepted"}
    # Not-satisfied findings link their open risks.
    open_risk = next(r["uuid"] for r in result["risks"] if r["status"] == "open")
    unsatisfied = [f for f in result["findings"] if f["target"]["status"]["state"] == "not-satisfied"]
    assert unsatisfied
    assert all(f["related-risks"] == [{"risk-uuid": open_risk}] for f in unsatisfied)


def test_identities_are_components_with_tier_and_reasons(assessment: Assessment, result: dict[str, Any]) -> None:
    components = result["local-definitions"]["components"]
    assert len(components) == len(assessment.subjects)
    for component, subject in zip(components, assessment.subjects, strict=True):
        assert ours(component["props"], "capability-tier")[0]["value"] == subject.capability.tier.value
        reasons = [p["value"] for p in ours(component["props"], "capability-reason")]
        assert reasons == list(subject.capability.reasons)
    subject_uuids = {s["subject-uuid"] for o in result["observations"] for s in o.get("subjects", [])}
    assert subject_uuids == {c["uuid"] for c in components}


def test_reviewed_controls_name_every_catalog(assessment: Assessment, result: dict[str, Any]) -> None:
    selections = result["reviewed-controls"]["control-selections"]
    assert [ours(s["props"], "framework")[0]["value"] for s in selections] == [f.id for f in assessment.frameworks]
    for selection, framework in zip(selections, assessment.frameworks, strict=True):
        assert framework.title in selection["description"]
        assert len(selection["include-controls"]) == len(framework.controls)


def test_evidence_hrefs_point_observations_at_pack_copies(assessment: Assessment) -> None:
    evidence = assessment.evidence[0]
    document = assessment_results.build(assessment, "1.2.1", evidence_hrefs={evidence.id: "evidence/files/a b.json"})
    observations = document["assessment-results"]["results"][0]["observations"]
    hrefs = {r["href"] for o in observations for r in o.get("relevant-evidence", [])}
    assert "evidence/files/a%20b.json" in hrefs
    assert evidence.source not in hrefs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("NHI1", "NHI1"), ("PR.AA-05", "PR.AA-05"), ("ASI01", "ASI01"), ("1.2", "_1.2"), ("A 1", "A_1"), ("", "_")],
)
def test_control_ids_become_tokens_only_when_needed(raw: str, expected: str) -> None:
    assert token(raw) == expected
    assert is_token(token(raw))
