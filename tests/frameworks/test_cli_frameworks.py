"""``nhi-evidence frameworks list`` and ``show``."""

from __future__ import annotations


def test_list_shows_control_counts(run_cli) -> None:
    result = run_cli("frameworks", "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line.split()[1] for line in result.output.splitlines()[1:]}
    assert lines == {"owasp-nhi-top10-2025": "10", "owasp-agentic-top10-2026": "10", "nist-csf-2.0": "106"}


def test_show_resolves_csf11_with_a_note(run_cli) -> None:
    result = run_cli("frameworks", "show", "PR.AC-4")
    assert result.exit_code == 0
    assert result.output.startswith("Note: CSF 1.1 PR.AC-4 is withdrawn in CSF 2.0")
    assert "PR.AA-05" in result.output
    assert "least privilege" in result.output


def test_show_unknown_control_is_a_usage_error(run_cli) -> None:
    result = run_cli("frameworks", "show", "NOPE-1")
    assert result.exit_code == 2
    assert "no control with id 'NOPE-1'" in result.output
