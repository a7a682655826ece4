"""Governance collection end to end: live API (local server), export command, offline scan, probes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from github_fake_api import acme_routes, serve
from nhi_test_support import CANARIES, canary_leaks

TOKEN = CANARIES["github-token"]


def outcomes(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    subjects = {s["id"]: s["name"] for s in data["subjects"]}
    return {
        (f["probe"], subjects.get(f["subject"], "") + "|" + (f.get("location") or {}).get("pointer", "")): f["outcome"]
        for f in data["findings"]
    }


def by_probe(data: dict[str, Any], probe: str) -> dict[str, str]:
    subjects = {s["id"]: s["name"] for s in data["subjects"]}
    found: dict[str, str] = {}
    for f in data["findings"]:
        if f["probe"] == probe:
            key = subjects.get(f["subject"], "")
            pointer = (f.get("location") or {}).get("pointer") or ""
            found[f"{key}{pointer}"] = f["outcome"]
    return found


def scan(run_cli: Callable[..., Result], env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run_cli("scan", *args, "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    assert not canary_leaks(result.output)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_live_scan_assesses_every_governance_probe_both_ways(run_cli: Callable[..., Result]) -> None:
    with serve(acme_routes(repos=("platform-api", "legacy"))) as api:
        data = scan(run_cli, {"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN}, "--github-org", "acme")
    good, bad = "GitHub repository acme/platform-api", "GitHub repository acme/legacy"
    assert by_probe(data, "defaultBranchRequiresReview") == {
        f"{good}/branches/main": "true",
        f"{bad}/branches/main": "false",
    }
    assert by_probe(data, "assistantCannotBypassReview") == {good: "true", bad: "false"}
    assert by_probe(data, "codeownersValid") == {good: "true", bad: "false"}
    wf = by_probe(data, "workflowTokenReadOnly")
    assert wf[f"{good}/actions/permissions/workflow"] == "true"
    assert wf[f"{bad}/actions/permissions/workflow"] == "false"
    approve = by_probe(data, "actionsCannotApprovePullRequests")
    assert approve[f"{good}/actions/permissions/workflow"] == "true"
    assert approve[f"{bad}/actions/permissions/workflow"] == "false"
    env = by_probe(data, "environmentsProtected")
    assert env == {f"{good}/environments/production": "true", f"{bad}/environments/production": "false"}
    apps = by_probe(data, "assistantAppInstallationsScoped")
    assert apps == {
        "GitHub organisation acme/installations/claude": "true",
        "GitHub organisation acme/installations/copilot-swe-agent": "false",
    }
    assert by_probe(data, "patGrantsExpire") == {"GitHub organisation acme": "not-available"}
    pulls = by_probe(data, "assistantPullRequestsHumanApproved")
    assert pulls == {f"{good}/pulls": "true", f"{bad}/pulls": "false"}
    messages = [f["message"] for f in data["findings"] if f["probe"] == "assistantPullRequestsHumanApproved"]
    assert any("1 of 1 assistant-authored pull requests" in m for m in messages)
    assert any("0 of 1" in m and "#11" in m for m in messages)
    reasons = [f["message"] for f in data["findings"] if f["probe"] == "patGrantsExpire"]
    assert "HTTP 403" in reasons[0]


def test_export_then_offline_scan_gives_the_same_findings(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "export"
    with serve(acme_routes(repos=("platform-api", "legacy"))) as api:
        env = {"GITHUB_API_URL": api.base, "GITHUB_TOKEN": TOKEN}
        saved = run_cli("github", "export", "--org", "acme", "--out", str(out), env=env)
        assert saved.exit_code == 0, saved.output
        live = scan(run_cli, env, "--github-org", "acme")
    assert (out / "api/orgs/acme/installations.json").is_file()
    assert (out / "api/repos/acme/legacy/branches/main/protection.json").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["repositories"] == ["acme/legacy", "acme/platform-api"]
    for file in out.rglob("*.json"):
        assert not canary_leaks(file.read_text())
    offline = scan(run_cli, {"GITHUB_API_URL": "http://127.0.0.1:9"}, "--github-export", str(out))
    assert [(f["probe"], f["subject"], f["outcome"]) for f in offline["findings"]] == [
        (f["probe"], f["subject"], f["outcome"]) for f in live["findings"]
    ]


def test_missing_source_leaves_governance_controls_not_assessed(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    data = scan(run_cli, {}, str(tmp_path / "repo"), "--no-git-history")
    results = {(c["framework"], c["control_id"]): c for c in data["control_results"]}
    csf = results[("nist-csf-2.0", "PR.AA-05")]
    if csf["status"] == "not-assessed":
        assert "--github-org" in csf["reason"] or "no subject" in csf["reason"]


def test_malformed_export_file_is_a_collection_error_naming_it(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "api/repos/acme/x").mkdir(parents=True)
    (export / "manifest.json").write_text(json.dumps({"format": 1, "repositories": ["acme/x"]}))
    (export / "api/repos/acme/x.json").write_text("{not json")
    data = scan(run_cli, {}, "--github-export", str(export))
    assert any("repos/acme/x.json" in e["message"] for e in data["errors"])


def _org(grants: list[dict[str, Any]], unavailable: dict[str, str] | None = None) -> Any:
    from nhi_evidence.model import Capability, Subject, Tier

    facts = {"pat_grants": grants, "unavailable": unavailable or {}}
    return Subject(
        "github-organization:x",
        "github-organization",
        "GitHub organisation acme",
        "github://orgs/acme",
        "",
        Capability(Tier.ADVISORY),
        facts,
    )


GRANT = {
    "token_id": 1,
    "token_name": "t",
    "owner": "bob",
    "expired": False,
    "expires_at": "2027-01-01T00:00:00Z",
    "last_used_at": "2026-11-20T00:00:00Z",
}


@pytest.mark.parametrize(
    ("grants", "unavailable", "expected"),
    [
        ([GRANT], None, "true"),  # OK: expires, used 5 days ago
        ([{**GRANT, "expires_at": None}], None, "false"),  # NOT OK: never expires
        ([{**GRANT, "last_used_at": "2026-01-01T00:00:00Z"}], None, "false"),  # NOT OK: stale
        ([{**GRANT, "expires_at": None, "expired": True}], None, "true"),  # OK: already expired, not live
        ([], {"personal_access_tokens": "HTTP 403: the token lacks the permission"}, "not-available"),
    ],
)
def test_pat_grants_expire_table(
    grants: list[dict[str, Any]], unavailable: dict[str, str] | None, expected: str
) -> None:
    from datetime import UTC, datetime

    from nhi_evidence.probes.governance.pat_grants_expire import PatGrantsExpire
    from nhi_evidence.probes.interface import ProbeContext, run_probes

    subject = _org(grants, unavailable)
    ctx = ProbeContext([subject], {}, datetime(2026, 11, 25, 12, tzinfo=UTC), {}, frozenset({"github"}))
    [finding] = run_probes([PatGrantsExpire()], ctx)
    assert finding.outcome.value == expected


def test_re_export_sends_saved_etags_and_reuses_unchanged_answers(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "export"
    routes = acme_routes(repos=("platform-api",))
    routes["/repos/acme/platform-api"].etag = '"v1"'
    with serve(routes) as api:
        env = {"GITHUB_API_URL": api.base}
        assert run_cli("github", "export", "--org", "acme", "--out", str(out), env=env).exit_code == 0
        saved = json.loads((out / "api/repos/acme/platform-api.json").read_text())
        assert saved["etag"] == '"v1"'
        again = run_cli("github", "export", "--org", "acme", "--out", str(out), env=env)
        assert again.exit_code == 0
    conditional = [h for path, _q, h in api.seen if path == "/repos/acme/platform-api"]
    assert "if-none-match" not in conditional[0]
    assert conditional[1]["if-none-match"] == '"v1"'
    assert "1 unchanged since the last export" in again.stderr
    assert json.loads((out / "api/repos/acme/platform-api.json").read_text())["data"] == saved["data"]


def test_unreachable_api_is_reported_not_hung(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    env = {"GITHUB_API_URL": "http://127.0.0.1:9"}
    exported = run_cli("github", "export", "--repo", "acme/x", "--out", str(tmp_path / "e"), env=env)
    assert exported.exit_code == 2
    assert "no answer from http://127.0.0.1:9" in exported.stderr
    data = scan(run_cli, env, "--github-repo", "acme/x")
    assert any("No answer from the GitHub API" in e["message"] for e in data["errors"])
    [finding] = [f for f in data["findings"] if f["probe"] == "defaultBranchRequiresReview"]
    assert finding["outcome"] == "not-available"
