"""Every emitted OSCAL document validates against the NIST JSON schema of its model, for both versions.

The schemas are read from ../shared/oscal/schemas (the reference copies) with jsonschema-rs, so the test
does not depend on the copies the tool ships (their identity is checked separately).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from nhi_evidence.model import Assessment
from nhi_evidence.oscal import validate
from nhi_evidence.oscal.common import OSCAL_VERSIONS
from nhi_evidence.oscal.documents import build_documents
from nhi_evidence.oscal.validate import SCHEMA_FILES, OscalValidationError

#: Reference material beside the project (the same default as tests/conftest.py).
SHARED = Path(__file__).resolve().parents[3] / "shared"


@functools.cache
def reference_validator(model: str, version: str) -> Any:
    path = reference_schemas() / version / SCHEMA_FILES[model]
    return jsonschema_rs.validator_for(json.loads(path.read_text(encoding="utf-8")))


def reference_schemas() -> Path:
    return Path(os.environ.get("NHI_EVIDENCE_SHARED", SHARED)) / "oscal" / "schemas"


def errors(document: dict[str, Any], version: str) -> list[str]:
    (model,) = document.keys()
    validator = reference_validator(model, version)
    return [f"/{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_every_document_of_the_sample_assessment_validates(assessment: Assessment, version: str) -> None:
    bundle = build_documents(assessment, version, check=False)
    expected = {
        "assessment-results.json",
        "component-definition.json",
        "poam.json",
        "catalogs/owasp-nhi-top10-2025.json",
        "catalogs/owasp-agentic-top10-2026.json",
        "catalogs/nist-csf-2.0.json",
    }
    if version.startswith("1.2"):
        expected.add("mapping-collection.json")
    assert set(bundle.documents) == expected
    for name, document in bundle.documents.items():
        assert errors(dict(document), version) == [], name


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_documents_of_a_real_scan_validate(scan_repo: Path, run_cli: Any, tmp_path: Path, version: str) -> None:
    out = tmp_path / "oscal"
    result = run_cli(
        "scan", str(scan_repo), "--format", "oscal", "--output", str(out), "--oscal-version", version, "-q"
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.rglob("*.json"))
    assert len(files) == (7 if version.startswith("1.2") else 6)
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert errors(document, version) == [], path.name


def test_an_invalid_document_is_reported_with_its_pointer(assessment: Assessment) -> None:
    document = dict(build_documents(assessment, "1.2.1").documents["assessment-results.json"])
    body = dict(document["assessment-results"])
    body["results"] = [{**body["results"][0], "start": "yesterday"}]
    broken = {"assessment-results": body}
    assert errors(broken, "1.2.1"), "the reference schema must reject a bad date-time"
    with pytest.raises(OscalValidationError) as raised:
        validate.check(broken)
    assert "/assessment-results/results/0/start" in str(raised.value)


def test_a_1_2_only_field_fails_1_1_3_validation(assessment: Assessment) -> None:
    """The 1.1.3 schema is really applied: a field that 1.1.3 lacks is rejected there, accepted in 1.2.1."""
    catalog = dict(build_documents(assessment, "1.2.1").documents["catalogs/owasp-nhi-top10-2025.json"])
    body = dict(catalog["catalog"])
    body["metadata"] = {**body["metadata"], "oscal-version": "1.1.3"}
    body["controls"] = [{**body["controls"][0], "bogus-field": "x"}, *body["controls"][1:]]
    assert errors({"catalog": body}, "1.1.3")
    assert errors({"catalog": body}, "1.2.1")


def test_shipped_schemas_are_byte_identical_to_the_reference_copies(shared_dir: Path) -> None:
    shipped = Path(validate.__file__).resolve().parents[2] / "mappings" / "oscal-schemas"
    count = 0
    for version in OSCAL_VERSIONS:
        for path in sorted((shipped / version).glob("*.json")):
            reference = reference_schemas() / version / path.name
            assert path.read_bytes() == reference.read_bytes(), path
            count += 1
    # Every model the tool writes has its schema shipped for every version that has the model.
    assert count == 2 * len(SCHEMA_FILES) - 1
