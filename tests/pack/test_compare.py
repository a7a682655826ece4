"""Table-driven checks of the diff rules on hand-built snapshots (no pipeline run)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nhi_evidence.diff.compare import compare, gate, permissions_of
from nhi_evidence.diff.inputs import ControlState, Snapshot
from nhi_evidence.model import Capability, Evidence, Finding, Location, Outcome, Severity, Subject, Tier
from nhi_evidence.pack.build import evidence_path
from nhi_evidence.pack.manifest import check_pack_path
from tests.pack.conftest import invoke


def _snapshot(label: str, controls: dict[str, str], findings: tuple[Finding, ...] = (), subjects=()) -> Snapshot:
    return Snapshot(
        label=label,
        kind="nhi-evidence",
        frameworks={"fw": "Framework"},
        controls={("fw", cid): ControlState(status, f"Control {cid}", "", ()) for cid, status in controls.items()},
        findings={f.id: f for f in findings},
        subjects={s.id: s for s in subjects},
    )


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        ("not-satisfied", "satisfied", "improved"),
        ("not-assessed", "satisfied", "improved"),
        ("not-satisfied", "not-assessed", "improved"),
        ("satisfied", "not-satisfied", "regressed"),
        ("satisfied", "not-assessed", "regressed"),
        ("not-assessed", "not-satisfied", "regressed"),
        ("satisfied", "not-applicable", "changed"),
        ("not-applicable", "not-satisfied", "changed"),
        ("satisfied", "satisfied", None),
    ],
)
def test_control_status_direction(before: str, after: str, direction: str | None) -> None:
    report = compare(_snapshot("old", {"C1": before}), _snapshot("new", {"C1": after}))
    found = {
        "improved": [c.control_id for c in report.improved],
        "regressed": [c.control_id for c in report.regressed],
        "changed": [c.control_id for c in report.changed],
    }
    for name, ids in found.items():
        assert ids == (["C1"] if name == direction else []), (before, after, name)
    assert bool(gate(report)) == (direction == "regressed")


def _finding(probe: str, path: str, severity: Severity, outcome: Outcome = Outcome.FALSE) -> Finding:
    return Finding(f"{probe}-{path}-{outcome}", probe, outcome, severity, f"{probe} at {path}.", "s1", Location(path))


@pytest.mark.parametrize(
    ("threshold", "fails"),
    [(Severity.INFO, True), (Severity.MEDIUM, True), (Severity.HIGH, False), (Severity.CRITICAL, False)],
)
def test_gate_on_new_finding_severity(threshold: Severity, fails: bool) -> None:
    old = _snapshot("old", {"C1": "not-satisfied"}, (_finding("p1", "a", Severity.HIGH),))
    new = _snapshot(
        "new",
        {"C1": "not-satisfied"},
        (_finding("p1", "a", Severity.HIGH), _finding("p2", "b", Severity.MEDIUM)),
    )
    report = compare(old, new)
    assert [(f.probe, f.path) for f in report.new_findings] == [("p2", "b")]
    assert [(f.probe, f.path) for f in report.unchanged_findings] == [("p1", "a")]
    assert bool(gate(report, threshold)) == fails


def test_findings_are_matched_by_key_not_by_id_or_message() -> None:
    old = _snapshot("old", {}, (_finding("p1", "a", Severity.LOW),))
    moved = Finding("other-id", "p1", Outcome.FALSE, Severity.LOW, "Reworded.", "s1", Location("a", line=9))
    fixed = _finding("p1", "a", Severity.LOW, Outcome.TRUE)
    assert compare(old, _snapshot("new", {}, (moved,))).new_findings == ()
    resolved = compare(old, _snapshot("new", {}, (fixed,))).resolved_findings
    assert [(r.probe, r.outcome_before, r.outcome_after) for r in resolved] == [("p1", "false", "true")]


def _subject(sid: str, tier: Tier, facts: dict) -> Subject:
    return Subject(sid, "ci-workflow", f"Job {sid}", "w.yml", "r", Capability(tier), facts)


def test_identities_and_permission_changes() -> None:
    old = _snapshot(
        "old",
        {},
        subjects=(
            _subject("a", Tier.LOCAL_ACTOR, {"permissions": {"scopes": {"contents": "read", "issues": "write"}}}),
            _subject("gone", Tier.ADVISORY, {}),
        ),
    )
    new = _snapshot(
        "new",
        {},
        subjects=(
            _subject("a", Tier.PIPELINE_ACTOR, {"permissions": {"scopes": {"contents": "write"}, "line": 4}}),
            _subject("b", Tier.ADVISORY, {"claude": {"permissions": {"allow": ["Bash(*)"]}}}),
        ),
    )
    report = compare(old, new)
    assert [i.id for i in report.identities_added] == ["b"]
    assert [i.id for i in report.identities_removed] == ["gone"]
    assert [(i.id, i.tier_before, i.tier) for i in report.identities_changed] == [
        ("a", "local-actor", "pipeline-actor")
    ]
    changes = {(p.subject, p.permission): (p.before, p.after, p.direction) for p in report.permission_changes}
    assert changes == {
        ("a", "permissions.scopes.contents"): ("read", "write", "gained"),
        ("a", "permissions.scopes.issues"): ("write", "", "lost"),
        ("b", "claude.permissions.allow[]=Bash(*)"): ("", "listed", "gained"),
    }


def test_permissions_of_ignores_locations() -> None:
    facts = {"permissions": {"allow": ["Read"], "path": "x", "line": 3}, "other": 1}
    assert permissions_of(facts) == {"permissions.allow[]=Read": "listed"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("api/.claude/settings.json", "evidence/api/.claude/settings.json.json"),
        ("github://repos/acme/web", "evidence/github/repos/acme/web.json"),
        ("../../etc/passwd", "evidence/_/_/etc/passwd.json"),
        ("/abs/path/log.jsonl", "evidence/abs/path/log.jsonl.json"),
        ("a\\b\nc", "evidence/a_b_c.json"),
    ],
)
def test_evidence_paths_stay_inside_the_pack(source: str, expected: str) -> None:
    evidence = Evidence("ev-1", "c", source, "application/json", "0" * 64, 1, datetime(2026, 1, 1, tzinfo=UTC))
    taken: set[str] = set()
    path = evidence_path(evidence, taken)
    assert path == expected
    assert check_pack_path(path) == path
    again = evidence_path(evidence, taken)
    assert again != path
    assert again.startswith("evidence/")


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    assert invoke("keygen", "--out", str(key)).exit_code == 0
    first = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    result = invoke("keygen", "--out", str(key))
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert key.read_bytes() == first


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_signature_checks_with_openssl_and_openssl_keys_sign(packs, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(packs.public_key), "-rawin",
            "-in", str(packs.q4 / "manifest.json"), "-sigfile", str(packs.q4 / "manifest.json.sig"),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    key = tmp_path / "openssl.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)], check=True, capture_output=True)
    pub = tmp_path / "openssl.pub.pem"
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub)], check=True, capture_output=True)
    work = tmp_path / "pack"
    shutil.copytree(packs.q3, work)
    from nhi_evidence.pack import signing

    (work / "manifest.json.sig").write_bytes(
        signing.sign(signing.load_private_key(key), (work / "manifest.json").read_bytes())
    )
    # An openssl key signs an existing pack afterwards (a counter-signature of the same manifest bytes).
    result = invoke("verify", str(work), "--key", str(pub))
    assert result.exit_code == 0, result.output
    assert "SIGNATURE valid" in result.output
    assert "EXTRA" not in result.output  # the signature file is never an extra file
    assert invoke("verify", str(work), "--key", str(packs.public_key)).exit_code == 1


def test_previous_pack_must_be_intact(packs, copy_pack, tmp_path: Path) -> None:
    previous = copy_pack(packs.q3)
    (previous / "assessment.json").write_text("{}")
    out = tmp_path / "next"
    result = invoke(
        "pack", str(Path(__file__).parent / "fixtures" / "org-q4"), "--period", "2026-Q4", "--org", "A",
        "--out", str(out), "--previous", str(previous),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not intact" in result.output
    assert not out.exists()
