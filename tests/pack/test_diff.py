"""``nhi-evidence diff`` and ``trend`` end to end: packs, assessment.json files, OSCAL from other tools, gates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pack.conftest import FIXTURES, Packs, invoke

OSCAL = FIXTURES / "oscal"


def _diff_json(*args: str) -> dict:
    result = invoke("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


def test_diff_of_two_packs_reports_every_kind_of_change(packs: Packs) -> None:
    data = _diff_json(str(packs.q3), str(packs.q4))
    assert (data["previous"], data["current"]) == ("2026-Q3", "2026-Q4")
    new = {(f["probe"], f["path"]) for f in data["new_findings"]}
    resolved = {(f["probe"], f["path"]) for f in data["resolved_findings"]}
    # Q4 unpinned the GitHub MCP server of api and gave its workflow contents: write ...
    assert any(path == "api/.mcp.json" for _, path in new), new
    assert any(path == "api/.github/workflows/claude.yml" for _, path in new), new
    # ... and narrowed the Claude Code allow list (Q3 allowed every shell command and any fetch).
    assert any(path == "api/.claude/settings.json" for _, path in resolved), resolved
    assert data["unchanged_findings"], "findings failing in both periods are listed as unchanged"
    # A control that was satisfied in Q3 regressed because of the unpinned MCP server, and the
    # finding behind the change is named.
    assert data["regressed"], data["summary"]
    behind = {(f["probe"], f["path"]) for c in data["regressed"] for f in c["findings"]}
    assert any(path == "api/.mcp.json" for _, path in behind), behind
    # Identities: the Cursor configuration of web is gone, the Gemini CLI of ops is new.
    assert [i["kind"] for i in data["identities_added"]] == ["gemini-cli"]
    assert [i["kind"] for i in data["identities_removed"]] == ["cursor"]
    gained = [p for p in data["permission_changes"] if p["direction"] == "gained"]
    assert any(p["permission"].endswith(".contents") and (p["before"], p["after"]) == ("read", "write") for p in gained)
    assert {c["framework"] for c in data["regressed"]} <= {row["framework"] for row in data["coverage"]}
    assert data["improved"], "narrowing the allow list improved a control"
    assert all(row["before"] is not None and row["after"] is not None for row in data["coverage"])
    assert data["unavailable"] == []


def test_diff_of_assessment_files_equals_diff_of_packs(packs: Packs) -> None:
    from_packs = _diff_json(str(packs.q3), str(packs.q4))
    from_files = _diff_json(str(packs.q3 / "assessment.json"), str(packs.q4_archive))
    for key in ("regressed", "improved", "new_findings", "resolved_findings", "identities_added", "permission_changes"):
        assert from_files[key] == from_packs[key], key


def test_fail_on_regression_gates_on_severity(packs: Packs) -> None:
    result = invoke("diff", str(packs.q3), str(packs.q4), "--fail-on", "regression", "--severity", "critical")
    assert result.exit_code == 1  # a control regressed, whatever the severity threshold
    assert "regressed" in result.stderr
    result = invoke("diff", str(packs.q3), str(packs.q3), "--fail-on", "regression")
    assert result.exit_code == 0, result.output
    result = invoke("diff", str(packs.q4), str(packs.q3), "--fail-on", "regression", "--severity", "high")
    data = _diff_json(str(packs.q4), str(packs.q3))
    expected = 1 if data["regressed"] or any(f["severity"] in ("high", "critical") for f in data["new_findings"]) else 0
    assert result.exit_code == expected


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_diff_formats_name_the_sides_and_the_changes(packs: Packs, fmt: str) -> None:
    result = invoke("diff", str(packs.q3), str(packs.q4), "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2026-Q3" in out
    assert "2026-Q4" in out
    assert "mcp.json" in out
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>")
        assert "<script" not in out
    if fmt == "markdown":
        assert out.startswith("### nhi-evidence diff")
        assert "| Framework |" in out


def test_oscal_results_of_another_tool_compare_at_control_level() -> None:
    old, new = str(OSCAL / "other-tool-old.json"), str(OSCAL / "other-tool-new.json")
    data = _diff_json(old, new)
    assert [(c["control_id"], c["before"], c["after"]) for c in data["regressed"]] == [
        ("ac-2", "satisfied", "not-satisfied")
    ]
    assert [(c["control_id"], c["before"], c["after"]) for c in data["improved"]] == [
        ("ac-6", "not-satisfied", "satisfied")
    ]
    assert [(c["control_id"], c["before"], c["after"]) for c in data["changed"]] == [("sc-7", "absent", "satisfied")]
    unavailable = " ".join(data["unavailable"])
    for comparison in ("Findings new, resolved", "Identities", "Permission changes"):
        assert comparison in unavailable
    assert data["new_findings"] == []
    assert data["identities_added"] == []
    assert invoke("diff", old, new, "--fail-on", "regression").exit_code == 1
    text = invoke("diff", old, new).stdout
    assert "Unavailable comparisons:" in text


def test_pack_against_its_own_oscal_results(packs: Packs) -> None:
    oscal = packs.q4 / "oscal" / "assessment-results.json"
    if not oscal.exists():
        pytest.skip("no OSCAL renderer registered")
    data = _diff_json(str(packs.q4), str(oscal))
    assert data["regressed"] == []
    assert data["improved"] == []
    assert data["unavailable"], "a pack against OSCAL says which comparisons are unavailable"
    data = _diff_json(str(packs.q3 / "oscal" / "assessment-results.json"), str(oscal))
    assert data["regressed"], "our own OSCAL carries the framework, so the Q3 -> Q4 regression shows"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "neither an nhi-evidence assessment"),
        ('{"assessment-results": {"uuid": 3}}', "not valid OSCAL"),
    ],
)
def test_unreadable_inputs_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = invoke("diff", str(bad), str(bad))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_diff_needs_two_inputs(tmp_path: Path) -> None:
    assert invoke("diff", str(tmp_path)).exit_code == 2


def test_trend_orders_packs_by_period(packs: Packs) -> None:
    result = invoke("trend", str(packs.q4_archive), str(packs.q3))
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[1]
    assert header.index("2026-Q3") < header.index("2026-Q4")
    assert "owasp-nhi-top10-2025" in result.stdout
    html = invoke("trend", str(packs.q4), str(packs.q3), "--format", "html").stdout
    assert "<svg" in html
    assert "<polyline" in html
    assert html.index("2026-Q3") < html.index("2026-Q4")
    assert "<script" not in html
