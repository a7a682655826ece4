"""Markdown and CSV outputs: content, escaping of hostile text, spreadsheet formula neutralisation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from nhi_test_support import canary_leaks

from nhi_evidence.model import (
    Assessment,
    Capability,
    Control,
    ControlResult,
    ControlStatus,
    Finding,
    Framework,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Subject,
    Tier,
)
from nhi_evidence.renderers import OutputFormat, RenderOptions
from nhi_evidence.renderers.csv_renderer import COLUMNS, cell, field
from nhi_evidence.renderers.markdown import md

HOSTILE_PATH = 'evil|<img src=x onerror=alert(1)>@security-team/=HYPERLINK("http://x")/settings.json'


def hostile_assessment() -> Assessment:
    """An assessment whose subject path and message carry Markdown, HTML, mention and formula payloads."""
    subject = Subject(
        id="claude-code:1",
        kind="claude-code",
        name="Claude Code in evil",
        path=HOSTILE_PATH,
        repository="evil",
        capability=Capability(Tier.LOCAL_ACTOR),
    )
    findings = (
        Finding(
            id="f-1",
            probe="bypassPermissionsDisabled",
            outcome=Outcome.FALSE,
            severity=Severity.HIGH,
            message=f"=cmd|' /C calc'!A0 in {HOSTILE_PATH} **bold** [link](http://x)",
            subject=subject.id,
            location=Location(HOSTILE_PATH, 3),
        ),
        Finding(
            id="f-2",
            probe="noBlanketShellAllow",
            outcome=Outcome.FALSE,
            severity=Severity.MEDIUM,
            message="Accepted one.",
            subject=subject.id,
            location=Location("evil/.claude/settings.json", 1),
            values={
                "acceptance": {
                    "status": "accepted",
                    "justification": "+SUM(A1) sandbox",
                    "approved_by": "@ciso",
                    "expires": "2027-01-01",
                    "scope": "finding",
                }
            },
        ),
        Finding(
            id="f-3",
            probe="secretFilesDenied",
            outcome=Outcome.TRUE,
            severity=Severity.HIGH,
            message="Denied.",
            subject=subject.id,
        ),
    )
    framework = Framework(
        "custom", "Custom | Policy", "1", (Control("C-1", "Title", "custom"), Control("C-2", "T2", "custom"))
    )
    results = (
        ControlResult(
            "custom", "C-1", ControlStatus.NOT_SATISFIED, "1 failed check(s).", ("f-1",), ("bypassPermissionsDisabled",)
        ),
        ControlResult(
            "custom", "C-2", ControlStatus.SATISFIED, "ok", ("f-2", "f-3"), ("noBlanketShellAllow", "secretFilesDenied")
        ),
    )
    return Assessment(
        id="a-1",
        tool_version="0",
        created_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
        scope=ScanScope(("org",), ("evil",), ()),
        subjects=(subject,),
        evidence=(),
        findings=findings,
        control_results=results,
        frameworks=(framework,),
        metadata={
            "suppressed_probes": [
                {
                    "probe": "instructionFilesPresent",
                    "justification": "Not used here.",
                    "approved_by": "CISO",
                    "expires": "2027-01-01",
                    "status": "accepted",
                    "findings": 4,
                }
            ]
        },
    )


def render(fmt: OutputFormat) -> str:
    return OutputFormat(fmt).renderer().render(hostile_assessment(), RenderOptions(organization="Acme")).decode("utf-8")


def test_markdown_escapes_untrusted_text() -> None:
    text = render(OutputFormat.MARKDOWN)
    assert "<img" not in text
    assert "&lt;img" in text
    assert "@security-team" not in text
    assert "&#64;security-team" in text
    assert "@ciso" not in text
    assert "**bold**" not in text
    assert "\\*\\*bold\\*\\*" in text
    assert "[link](http://x)" not in text
    # Every table row keeps its column count: no cell breaks out through a pipe.
    for line in text.splitlines():
        if line.startswith("| ") and "Failed checks" not in line:
            unescaped = line.replace("\\|", "")
            assert unescaped.count("|") in (5, 7, 8), line


def test_markdown_sections() -> None:
    text = render(OutputFormat.MARKDOWN)
    assert text.startswith("## nhi-evidence: 1 failed check, 1 accepted\n")
    assert "Assessment for Acme" in text
    assert "| high | `bypassPermissionsDisabled` | evil\\|&lt;img" in text
    assert "### Accepted risks" in text
    assert "2027-01-01" in text
    assert "**Probe `instructionFilesPresent` is suppressed**" in text
    assert "- `custom`: C-1" in text


def test_md_escape_is_total_for_control_characters() -> None:
    # printable() shows control characters as escapes; md() then escapes their backslash for display.
    assert md("a\nb\x1b[31m") == "a\\\\nb\\\\x1b\\[31m"


def test_csv_has_one_row_per_control_and_finding_with_record_type() -> None:
    text = render(OutputFormat.CSV)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0].keys()) == list(COLUMNS)
    assert [r["record"] for r in rows] == ["control", "control", "finding", "finding", "finding"]
    control = rows[0]
    assert (control["framework"], control["control_id"], control["status"], control["findings"]) == (
        "custom",
        "C-1",
        "not-satisfied",
        "f-1",
    )
    finding = next(r for r in rows if r["finding_id"] == "f-1")
    assert finding["controls"] == "custom:C-1"
    assert finding["line"] == "3"
    assert finding["severity"] == "high"
    # Every column of a finding row holds its own field.
    assert (finding["probe"], finding["outcome"], finding["subject"]) == (
        "bypassPermissionsDisabled",
        "false",
        "claude-code:1",
    )
    assert (finding["subject_name"], finding["subject_kind"], finding["repository"]) == (
        "Claude Code in evil",
        "claude-code",
        "evil",
    )
    assert finding["path"] == cell(HOSTILE_PATH)
    assert finding["message"].startswith("'=cmd")
    assert all(finding[c] == "" for c in ("control_title", "status", "reason", "findings", "acceptance_status"))
    passed = next(r for r in rows if r["finding_id"] == "f-3")
    assert (passed["message"], passed["line"], passed["path"]) == ("Denied.", "", "")
    accepted = next(r for r in rows if r["finding_id"] == "f-2")
    assert accepted["acceptance_status"] == "accepted"
    assert accepted["expires"] == "2027-01-01"


def test_csv_neutralises_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(render(OutputFormat.CSV).lstrip("\ufeff"))))
    finding = next(r for r in rows if r["finding_id"] == "f-1")
    assert finding["message"].startswith("'=cmd")
    accepted = next(r for r in rows if r["finding_id"] == "f-2")
    assert accepted["justification"] == "'+SUM(A1) sandbox"
    assert accepted["approved_by"] == "'@ciso"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert cell("-1") == "'-1"
    assert cell("plain") == "plain"
    assert cell(None) == ""


TRICKY_CELLS = ["", " ", "plain", "a,b", 'say "hi"', "=1+1", "-x", "\t", "line\nbreak", "cr\r", "\x1b[31m", "é,ü", "'"]


@given(st.lists(st.one_of(st.sampled_from(TRICKY_CELLS), st.text()), min_size=2, max_size=6))
def test_csv_fields_are_quoted_as_csv_writer_quotes(values: list[str]) -> None:
    # Rows are joined from field(); the bytes must be those csv.writer gives for the safe cells.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([cell(v) for v in values])
    assert ",".join(field(v) for v in values) + "\r\n" == buffer.getvalue()


def test_real_scan_outputs_hold_no_secret(org: Path, scan) -> None:
    for fmt in ("markdown", "csv"):
        result = scan(str(org), "--format", fmt, "--quiet")
        assert result.exit_code == 0, result.output
        assert canary_leaks(result.stdout) == [], fmt
    rows = list(csv.DictReader(io.StringIO(scan(str(org), "--format", "csv", "--quiet").stdout.lstrip("\ufeff"))))
    assert {r["record"] for r in rows} == {"control", "finding"}
    assert any(r["path"] == "api/.claude/settings.json" and r["outcome"] == "false" for r in rows)
