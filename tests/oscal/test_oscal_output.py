"""The ``--format oscal`` folder: determinism, oscal-version, the 1.1.3 variant, POA&M and components, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from nhi_test_support import files_of

from nhi_evidence.model import Assessment, ControlStatus
from nhi_evidence.oscal.common import OSCAL_VERSIONS
from nhi_evidence.oscal.documents import build_documents
from nhi_evidence.oscal.validate import declared_version
from tests.conftest import canary_leaks


def scan_to(run_cli: Any, repo: Path, out: Path, *extra: str) -> dict[str, bytes]:
    result = run_cli("scan", str(repo), "--format", "oscal", "--output", str(out), *extra)
    assert result.exit_code == 0, result.output
    return files_of(out)


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_two_runs_with_a_fixed_clock_are_byte_identical(
    scan_repo: Path, run_cli: Any, tmp_path: Path, version: str
) -> None:
    first = scan_to(run_cli, scan_repo, tmp_path / "a", "--oscal-version", version)
    second = scan_to(run_cli, scan_repo, tmp_path / "b", "--oscal-version", version)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_the_builder_is_deterministic(make_assessment: Any) -> None:
    one = build_documents(make_assessment(None), "1.2.1").files()
    two = build_documents(make_assessment(None), "1.2.1").files()
    assert one == two


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_every_document_declares_the_chosen_oscal_version(assessment: Assessment, version: str) -> None:
    for name, document in build_documents(assessment, version).documents.items():
        assert declared_version(document) == version, name


def test_the_1_1_3_variant_leaves_out_the_mapping_collection_with_a_message(
    scan_repo: Path, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_cli("scan", str(scan_repo), "--format", "oscal", "-o", str(out), "--oscal-version", "1.1.3", "-q")
    assert result.exit_code == 0
    assert not (out / "mapping-collection.json").exists()
    assert "mapping-collection.json is not written for OSCAL 1.1.3" in result.stderr
    remarks = json.loads((out / "assessment-results.json").read_text())["assessment-results"]["results"][0]["remarks"]
    assert "control mapping model starts at 1.2.0" in remarks


def test_without_output_the_folder_format_asks_for_one(scan_repo: Path, run_cli: Any) -> None:
    result = run_cli("scan", str(scan_repo), "--format", "oscal", "-q")
    assert result.exit_code == 2
    assert "--output DIR" in result.stderr


def test_an_unknown_oscal_version_is_a_usage_error(scan_repo: Path, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("scan", str(scan_repo), "--format", "oscal", "-o", str(tmp_path), "--oscal-version", "1.0.0")
    assert result.exit_code == 2
    assert "1.0.0" in result.output


def test_no_planted_secret_reaches_any_document(scan_repo: Path, run_cli: Any, tmp_path: Path) -> None:
    files = scan_to(run_cli, scan_repo, tmp_path / "out")
    for name, content in files.items():
        assert canary_leaks(content.decode("utf-8")) == [], name


def test_poam_has_an_item_per_open_finding_linked_to_it(assessment: Assessment) -> None:
    documents = build_documents(assessment, "1.2.1").documents
    poam = documents["poam.json"]["plan-of-action-and-milestones"]
    ar_findings = {
        f["uuid"]: f for f in documents["assessment-results.json"]["assessment-results"]["results"][0]["findings"]
    }
    open_controls = [r for r in assessment.control_results if r.status is ControlStatus.NOT_SATISFIED]
    assert len(poam["poam-items"]) == len(open_controls) > 0
    poam_findings = {f["uuid"]: f for f in poam["findings"]}
    risk_uuids = {r["uuid"] for r in poam["risks"]}
    observation_uuids = {o["uuid"] for o in poam["observations"]}
    for item in poam["poam-items"]:
        (link,) = item["related-findings"]
        finding = poam_findings[link["finding-uuid"]]
        # The same finding as in the assessment results, repeated so the POA&M is self-contained,
        # linked to the observations of its failed probe findings only.
        original = ar_findings[link["finding-uuid"]]
        assert {k: v for k, v in finding.items() if k != "related-observations"} == {
            k: v for k, v in original.items() if k != "related-observations"
        }
        linked = [o["observation-uuid"] for o in finding["related-observations"]]
        assert linked
        assert set(linked) <= {o["observation-uuid"] for o in original["related-observations"]}
        assert set(linked) <= observation_uuids
        assert {r["risk-uuid"] for r in item["related-risks"]} <= risk_uuids
        # Observations are reachable through the finding and the risks, not repeated on the item.
        assert "related-observations" not in item
        assert "Remediation:" in item["description"]
    # Only failed TEST observations are repeated, each one used by a finding or a risk.
    assert all(o["methods"] == ["TEST"] and o["types"] == ["finding"] for o in poam["observations"])
    used = {o["observation-uuid"] for f in poam["findings"] for o in f["related-observations"]}
    used |= {o["observation-uuid"] for r in poam["risks"] for o in r["related-observations"]}
    assert used == observation_uuids


def test_component_definition_lists_each_identity_with_its_controls(assessment: Assessment) -> None:
    definition = build_documents(assessment, "1.2.1").documents["component-definition.json"]["component-definition"]
    components = {c["title"]: c for c in definition["components"]}
    assert set(components) == {s.name for s in assessment.subjects}
    ci = components["claude-code-action in acme/api"]
    sources = [ci_impl["source"] for ci_impl in ci["control-implementations"]]
    assert sources == [f"catalogs/{f.id}.json" for f in assessment.frameworks]
    statuses = {
        p["value"]
        for impl in ci["control-implementations"]
        for req in impl["implemented-requirements"]
        for p in req["props"]
        if p["name"] == "assessed-status"
    }
    assert statuses == {"not-satisfied"}
    # A subject whose only finding is not-available has no decided control.
    claude = components["Claude Code in acme/api"]
    assert all(
        p["value"] == "satisfied"
        for impl in claude["control-implementations"]
        for req in impl["implemented-requirements"]
        for p in req["props"]
        if p["name"] == "assessed-status"
    )


def test_serialisation_equals_the_standard_library_format(assessment: Assessment) -> None:
    from nhi_evidence.oscal.common import dumps

    document = dict(build_documents(assessment, "1.2.1").documents["assessment-results.json"])
    document["edge"] = {"text": 'é \u2028 \x7f \x01 "q" / \\ 😀', "values": [1, 2.5, True, None, []], "empty": {}}
    assert dumps(document) == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@pytest.mark.parametrize("parts", [("a",), ("observation", "evidence", "0f1e"), ("x", "é", "\x1fz", "")])
def test_fast_uuids_equal_the_project_stable_uuid(parts: tuple[str, ...]) -> None:
    from nhi_evidence.ids import stable_uuid
    from nhi_evidence.oscal.common import oscal_uuid

    assert oscal_uuid(*parts) == stable_uuid("oscal", *parts)


@pytest.mark.parametrize(
    ("framework_id", "expected"),
    [
        ("owasp-nhi-top10-2025", "catalogs/owasp-nhi-top10-2025.json"),
        ("../../etc/x", "catalogs/_.._etc_x.json"),
        ("a/b c", "catalogs/a_b_c.json"),
        ("..", "catalogs/_.json"),
    ],
)
def test_catalog_file_names_never_leave_the_catalogs_folder(framework_id: str, expected: str) -> None:
    from nhi_evidence.oscal.assessment_results import catalog_href

    assert catalog_href(framework_id) == expected
