"""Risk acceptance: accepted findings stay in every output, marked, and stop counting; expiry restores them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from integration.conftest import false_findings
from nhi_evidence.acceptance import matches
from nhi_evidence.config import AcceptedRisk
from nhi_evidence.model import Capability, Finding, Location, Outcome, Severity, Subject, Tier


def write_config(root: Path, body: str) -> Path:
    path = root / ".nhi-evidence.toml"
    path.write_text(body, encoding="utf-8")
    return path


def scan_json(scan, *args: str) -> dict[str, Any]:
    result = scan(*args, "--format", "json", "--quiet")
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


ACCEPT_BYPASS_IN_API = """\
[[accepted_risks]]
probe = "bypassPermissionsDisabled"
repository = "api"
kind = "claude-code"
justification = "Sandboxed build container; see SEC-101."
approved_by = "Jane Doe (CISO)"
expires = {expires}
"""


def test_accepted_finding_is_marked_and_no_longer_fails_controls(org: Path, scan) -> None:
    before = scan_json(scan, str(org))
    bypass = [f for f in false_findings(before) if f["probe"] == "bypassPermissionsDisabled"]
    assert len(bypass) == 2  # api and web
    write_config(org, ACCEPT_BYPASS_IN_API.format(expires="2027-06-30"))
    after = scan_json(scan, str(org))
    marked = {
        f["id"]: f["values"].get("acceptance")
        for f in false_findings(after)
        if f["probe"] == "bypassPermissionsDisabled"
    }
    accepted = [r for r in marked.values() if r]
    assert len(accepted) == 1, "only the api finding is accepted"
    record = accepted[0]
    assert record["status"] == "accepted"
    assert record["justification"] == "Sandboxed build container; see SEC-101."
    assert record["approved_by"] == "Jane Doe (CISO)"
    assert record["expires"] == "2027-06-30"
    assert record["scope"] == "finding"
    assert record["origin"].endswith(".nhi-evidence.toml: line 2")
    accepted_id = next(i for i, r in marked.items() if r)
    # The accepted finding no longer decides a not-satisfied control; the web one still does.
    for result in after["control_results"]:
        if result["status"] == "not-satisfied":
            assert accepted_id not in result["findings"]
    assert after["assessment"]["metadata"]["risk_acceptance"] == {"accepted": 1, "expired": 0, "unmatched": []}


def test_accepting_every_failure_of_a_control_satisfies_it(org: Path, scan) -> None:
    before = scan_json(scan, str(org))
    # Choose a control whose only failures come from one probe, then accept that probe's findings.
    by_control = {
        (r["framework"], r["control_id"]): r for r in before["control_results"] if r["status"] == "not-satisfied"
    }
    findings = {f["id"]: f for f in before["findings"]}
    target = next(
        (key, {findings[i]["probe"] for i in r["findings"]})
        for key, r in sorted(by_control.items())
        if len({findings[i]["probe"] for i in r["findings"]}) == 1
    )
    (framework, control), probes = target
    probe = probes.pop()
    write_config(
        org,
        f'[[suppressed_probes]]\nprobe = "{probe}"\njustification = "Accepted for the test."\n'
        'approved_by = "Risk board"\nexpires = 2027-01-31\n',
    )
    after = scan_json(scan, str(org))
    result = next(r for r in after["control_results"] if (r["framework"], r["control_id"]) == (framework, control))
    assert result["status"] == "satisfied"
    assert "accepted risk" in result["reason"]
    suppressed = after["assessment"]["metadata"]["suppressed_probes"]
    assert suppressed[0]["probe"] == probe
    assert suppressed[0]["status"] == "accepted"
    assert suppressed[0]["findings"] >= 1
    assert all(f["values"]["acceptance"]["scope"] == "probe" for f in false_findings(after) if f["probe"] == probe)


def test_expired_acceptance_counts_again_with_a_note(org: Path, scan) -> None:
    write_config(org, ACCEPT_BYPASS_IN_API.format(expires="2026-11-24"))  # the fixed clock is 2026-11-25
    after = scan_json(scan, str(org))
    records = [f["values"]["acceptance"] for f in false_findings(after) if "acceptance" in f["values"]]
    assert len(records) == 1
    assert records[0]["status"] == "expired"
    assert "expired on 2026-11-24" in records[0]["note"]
    assert "counts again" in records[0]["note"]
    failing = {i for r in after["control_results"] if r["status"] == "not-satisfied" for i in r["findings"]}
    expired_id = next(f["id"] for f in false_findings(after) if "acceptance" in f["values"])
    assert expired_id in failing
    assert after["assessment"]["metadata"]["risk_acceptance"]["expired"] == 1


def test_acceptance_holds_through_its_expiry_day(org: Path, scan) -> None:
    write_config(org, ACCEPT_BYPASS_IN_API.format(expires="2026-11-25"))
    after = scan_json(scan, str(org))
    records = [f["values"]["acceptance"] for f in false_findings(after) if "acceptance" in f["values"]]
    assert [r["status"] for r in records] == ["accepted"]


def test_fail_on_ignores_accepted_findings(org: Path, scan) -> None:
    high = [f for f in false_findings(scan_json(scan, str(org))) if f["severity"] in ("high", "critical")]
    assert high
    assert scan(str(org), "--fail-on", "high", "--quiet").exit_code == 1
    probes = sorted({f["probe"] for f in high})
    write_config(
        org,
        "".join(
            f'[[suppressed_probes]]\nprobe = "{p}"\njustification = "j"\napproved_by = "a"\nexpires = 2027-01-01\n\n'
            for p in probes
        ),
    )
    assert scan(str(org), "--fail-on", "high", "--quiet").exit_code == 0


def test_unmatched_acceptance_is_listed(org: Path, scan) -> None:
    write_config(
        org,
        '[[accepted_risks]]\nprobe = "bypassPermissionsDisabled"\nrepository = "gone"\n'
        'justification = "j"\napproved_by = "a"\nexpires = 2027-01-01\n',
    )
    after = scan_json(scan, str(org))
    unmatched = after["assessment"]["metadata"]["risk_acceptance"]["unmatched"]
    assert [u["repository"] for u in unmatched] == ["gone"]


def test_accepted_findings_are_marked_in_every_output(org: Path, scan) -> None:
    write_config(org, ACCEPT_BYPASS_IN_API.format(expires="2027-06-30"))
    sarif = json.loads(scan(str(org), "--format", "sarif", "--quiet").stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert "SEC-101" in suppressed[0]["suppressions"][0]["justification"]
    markdown = scan(str(org), "--format", "markdown", "--quiet").stdout
    assert "### Accepted risks" in markdown
    assert "SEC-101" in markdown
    assert "Jane Doe \\(CISO\\)" not in markdown
    assert "Jane Doe (CISO)" in markdown
    rows = list(csv.DictReader(io.StringIO(scan(str(org), "--format", "csv", "--quiet").stdout.lstrip("\ufeff"))))
    accepted_rows = [r for r in rows if r["acceptance_status"] == "accepted"]
    assert len(accepted_rows) == 1
    assert accepted_rows[0]["approved_by"] == "Jane Doe (CISO)"
    text = scan(str(org), "--quiet").stdout
    assert "accepted: Sandboxed build container; see SEC-101. (approved by Jane Doe (CISO), expires 2027-06-30)" in text


def _risk(**kw: Any) -> AcceptedRisk:
    base: dict[str, Any] = {
        "probe": "p",
        "justification": "j",
        "approved_by": "a",
        "expires": date(2027, 1, 1),
    }
    return AcceptedRisk(**(base | kw))


SUBJECT = Subject(
    "s-1", "claude-code", "Claude Code in api", "api/.claude/settings.json", "api", Capability(Tier.LOCAL_ACTOR)
)
FINDING = Finding("f-1", "p", Outcome.FALSE, Severity.HIGH, "m", "s-1", Location("api/.claude/settings.json", 2))


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        (_risk(subject="s-1"), True),
        (_risk(subject="s-2"), False),
        (_risk(probe="q", subject="s-1"), False),
        (_risk(repository="api", kind="claude-code"), True),
        (_risk(repository="api", kind="cursor"), False),
        (_risk(repository="web"), False),
        (_risk(path="api/.claude/settings.json"), True),
        (_risk(path="api/.claude/*.json"), True),
        (_risk(path="web/*"), False),
        (_risk(whole_probe=True), True),
    ],
)
def test_matching_rules(risk: AcceptedRisk, expected: bool) -> None:
    assert matches(risk, FINDING, SUBJECT) is expected


def test_subject_without_repository_is_placed_by_its_path() -> None:
    subject = Subject("s-1", "claude-code", "n", "api/.claude/settings.json", "", Capability(Tier.LOCAL_ACTOR))
    assert matches(_risk(repository="api"), FINDING, subject)
    assert not matches(_risk(repository="ap"), FINDING, subject)


def test_oscal_risk_carries_the_acceptance_and_approver(org: Path, scan, tmp_path: Path) -> None:
    from nhi_evidence.oscal.validate import schema_errors

    write_config(org, ACCEPT_BYPASS_IN_API.format(expires="2027-06-30"))
    out = tmp_path / "oscal"
    result = scan(str(org), "--format", "oscal", "--output", str(out), "--quiet")
    assert result.exit_code in (0, 1), result.output
    document = json.loads((out / "assessment-results.json").read_text())
    assert schema_errors(document) == []
    risks = [r for res in document["assessment-results"]["results"] for r in res.get("risks", [])]
    bypass = [
        r for r in risks if any(p["name"] == "probe" and p["value"] == "bypassPermissionsDisabled" for p in r["props"])
    ]
    assert sorted(r["status"] for r in bypass) == ["open", "risk-accepted"]
    accepted = next(r for r in bypass if r["status"] == "risk-accepted")
    props = {p["name"]: p for p in accepted["props"]}
    assert props["accepted-by"]["value"] == "Jane Doe (CISO)"
    assert props["acceptance-expires"]["value"] == "2027-06-30"
    assert "Sandboxed build container; see SEC-101." in props["accepted-by"]["remarks"]
    assert "Sandboxed build container; see SEC-101." in accepted["description"]


def test_suppressed_probe_is_shown_in_the_report_limitations(org: Path, scan, tmp_path: Path) -> None:
    from pypdf import PdfReader

    write_config(
        org,
        '[[suppressed_probes]]\nprobe = "bypassPermissionsDisabled"\n'
        'justification = "Disposable sandboxes only; see SEC-9."\napproved_by = "Jane Doe (CISO)"\nexpires = 2027-06-30\n',
    )
    target = tmp_path / "report.pdf"
    result = scan(str(org), "--format", "pdf", "--output", str(target), "--quiet")
    assert result.exit_code in (0, 1), result.output
    text = " ".join((page.extract_text() or "") for page in PdfReader(target).pages)
    flat = " ".join(text.split())
    assert "Suppressed probes." in flat
    assert "Disposable sandboxes only; see SEC-9." in flat
