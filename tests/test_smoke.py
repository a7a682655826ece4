"""End-to-end smoke checks of the CLI skeleton."""

from __future__ import annotations

from pathlib import Path


def test_scan_of_empty_repository_lists_every_control(tmp_path: Path, scan_json) -> None:
    (tmp_path / ".git").mkdir()
    data = scan_json(str(tmp_path))
    assert data["schema_version"] == 1
    counts: dict[str, int] = {}
    for result in data["control_results"]:
        counts[result["framework"]] = counts.get(result["framework"], 0) + 1
        assert result["status"] in {"satisfied", "not-satisfied", "not-assessed", "not-applicable"}
        assert result["reason"]
    assert counts == {"owasp-nhi-top10-2025": 10, "owasp-agentic-top10-2026": 10, "nist-csf-2.0": 106}


def test_missing_path_is_a_usage_error(run_cli) -> None:
    result = run_cli("scan", "/nonexistent/path/for/test")
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_an_output_path_that_cannot_be_written_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run_cli("scan", str(tmp_path), "--format", "sarif", "--output", str(folder))
    assert result.exit_code == 2
    assert "a-folder: cannot write the output (Is a directory)" in result.output
    plain = tmp_path / "a-file"
    plain.write_text("x")
    result = run_cli("scan", str(tmp_path), "--format", "oscal", "--output", str(plain))
    assert result.exit_code == 2
    assert "a-file: cannot write the output" in result.output
    assert plain.read_text() == "x"
