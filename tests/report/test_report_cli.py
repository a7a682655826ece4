"""The real pipeline: ``scan --format pdf|html`` over a fixture organisation, checked against ``--format json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from nhi_test_support import canary_leaks

from tests.report.helpers import pdf_reader, pdf_text, section_text, statuses_from_text

ORG = Path(__file__).parent / "fixtures" / "org"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from click.testing import CliRunner
    from nhi_test_support import FIXED_NOW

    from nhi_evidence.cli import main

    out = tmp_path_factory.mktemp("report")
    runner = CliRunner()
    env = {"NHI_EVIDENCE_NOW": FIXED_NOW}
    common = [str(ORG), "--org", "Example Payments", "--period", "2026-Q4", "--no-config", "-q"]
    results: dict[str, Any] = {}
    for fmt in ("pdf", "html", "json"):
        target = out / f"report.{fmt}"
        result = runner.invoke(main, ["scan", *common, "--format", fmt, "--output", str(target)], env=env)
        assert result.exit_code == 0, result.output
        results[fmt] = target.read_bytes()
    return results


def test_pdf_statuses_equal_the_json_contract(outputs: dict[str, Any]) -> None:
    data = json.loads(outputs["json"])
    text = section_text(pdf_reader(outputs["pdf"]), "Control tables")
    for framework in data["frameworks"]:
        # control_results are in catalog order, the order of the report's tables.
        rows = [r for r in data["control_results"] if r["framework"] == framework["id"]]
        expected = {r["control_id"]: r["status"] for r in rows}
        assert len(expected) > 5
        assert statuses_from_text(text, [r["control_id"] for r in rows]) == expected


def test_collection_errors_and_identities_are_reported(outputs: dict[str, Any]) -> None:
    data = json.loads(outputs["json"])
    text = pdf_text(outputs["pdf"])
    assert data["errors"], "the fixture has a malformed file"
    assert f"{len(data['errors'])} collection error" in text
    assert ".cursor/mcp.json" in text
    assert f"{len(data['subjects'])} assistant identities" in text
    page = outputs["html"].decode()
    for subject in data["subjects"]:
        assert subject["name"].replace("`", "&#96;") in page or subject["name"] in page


def test_secrets_of_the_fixture_never_appear(outputs: dict[str, Any]) -> None:
    # The fixture's settings hold canary tokens in clear.
    assert canary_leaks(pdf_text(outputs["pdf"])) == []
    assert canary_leaks(outputs["html"].decode()) == []


def test_planted_markup_in_a_config_key_is_text(outputs: dict[str, Any]) -> None:
    page = outputs["html"].decode()
    assert '<img src="file:///etc/passwd">' not in page


def test_pdf_variant_option(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "archive.pdf"
    result = run_cli(
        "scan", str(ORG), "--no-config", "-q", "--format", "pdf", "--pdf-variant", "pdf/a-3b", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    reader = pdf_reader(target.read_bytes())
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_unknown_pdf_variant_is_a_usage_error(run_cli: Callable[..., Result]) -> None:
    result = run_cli("scan", str(ORG), "--format", "pdf", "--pdf-variant", "pdf/x-9")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
