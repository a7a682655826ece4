"""Reading assessment results back into control-level statuses: ours (both versions) and NIST's examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhi_evidence.model import Assessment
from nhi_evidence.oscal.common import OSCAL_VERSIONS, dumps
from nhi_evidence.oscal.documents import build_documents
from nhi_evidence.oscal.reader import ReaderError, control_of_target, read_assessment_results


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_our_assessment_results_read_back_to_the_same_statuses(assessment: Assessment, version: str) -> None:
    document = build_documents(assessment, version).documents["assessment-results.json"]
    summary = read_assessment_results(dumps(document))
    assert summary.oscal_version == version
    assert summary.last_modified == "2026-11-25T12:00:00Z"
    read = {key: (r.status, r.reason) for key, r in summary.by_control().items()}
    expected = {(r.framework, r.control_id): (r.status.value, r.reason) for r in assessment.control_results}
    assert read == expected


@pytest.mark.parametrize("example", ["1.1.2/ifa_assessment-results-example.json", "1.2.2/ifa_assessment-results.json"])
def test_nist_examples_read_to_control_statuses(shared_dir: Path, example: str) -> None:
    path = shared_dir / "oscal" / "examples" / example
    summary = read_assessment_results(path)
    raw = json.loads(path.read_text())["assessment-results"]
    findings = [f for r in raw["results"] for f in r.get("findings", [])]
    assert summary.uuid == raw["uuid"]
    assert len(summary.controls) == len({control_of_target(f["target"]["target-id"]) for f in findings}) > 0
    record = summary.by_control()[("", "ac-6.1")]
    assert record.status == "not-satisfied"
    assert record.target_id == "ac-6.1_obj"


@pytest.mark.parametrize(
    ("target", "control"),
    [("ac-6.1_obj", "ac-6.1"), ("ac-2_smt.a", "ac-2"), ("NHI5", "NHI5"), ("PR.AA-05", "PR.AA-05")],
)
def test_objective_and_statement_suffixes_are_removed(target: str, control: str) -> None:
    assert control_of_target(target) == control


def test_not_satisfied_wins_within_a_result_and_later_results_replace_earlier(assessment: Assessment) -> None:
    document = json.loads(dumps(build_documents(assessment, "1.2.1").documents["assessment-results.json"]))
    result = document["assessment-results"]["results"][0]
    nhi1 = next(f for f in result["findings"] if f["target"]["target-id"] == "NHI1")
    failing = json.loads(json.dumps(nhi1))
    failing["uuid"] = "0b7c1c2e-6a6f-4f43-9d0c-3f1b7a3c0001"
    failing["target"]["status"]["state"] = "not-satisfied"
    result["findings"].append(failing)
    assert read_assessment_results(document).by_control()[("owasp-nhi-top10-2025", "NHI1")].status == "not-satisfied"
    later = json.loads(json.dumps(result))
    later["uuid"] = "0b7c1c2e-6a6f-4f43-9d0c-3f1b7a3c0002"
    later["findings"] = [nhi1]
    document["assessment-results"]["results"].append(later)
    assert read_assessment_results(document).by_control()[("owasp-nhi-top10-2025", "NHI1")].status == "satisfied"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"catalog": {}}', "not an OSCAL assessment-results document"),
        (b'{"assessment-results": {"uuid": "x"}}', "not valid OSCAL assessment results"),
    ],
)
def test_bad_input_gives_a_message_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "ar.json"
    path.write_bytes(content)
    with pytest.raises(ReaderError) as raised:
        read_assessment_results(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
