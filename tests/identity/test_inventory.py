"""The identity inventory: schema validation, redaction, and the identity probes both ways."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from nhi_test_support import CANARIES, canary_leaks

HERE = Path(__file__).parent / "inventories"


def findings(data: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(probe, subject name) -> outcomes."""
    names = {s["id"]: s["name"] for s in data["subjects"]}
    found: dict[tuple[str, str], set[str]] = {}
    for f in data["findings"]:
        found.setdefault((f["probe"], names.get(f["subject"], "")), set()).add(f["outcome"])
    return found


@pytest.mark.parametrize(
    ("probe", "identity", "good", "bad"),
    [
        ("identityHasOwner", ("claude-ci", "codex-ci"), {"true"}, {"false"}),
        ("retiredIdentityHasNoLiveCredential", ("old-bot", "retired-helper"), {"true"}, {"false"}),
        ("credentialRotatedWithinPolicy", ("claude-ci", "codex-ci"), {"not-applicable"}, {"false"}),
        ("credentialNotShared", ("claude-ci", "codex-ci"), {"true"}, {"false"}),
        ("shortLivedCredentialsPreferred", ("claude-ci", "codex-ci"), {"true"}, {"false"}),
    ],
)
def test_identity_probes_both_ways(
    scan_json: Callable[..., dict[str, Any]], probe: str, identity: tuple[str, str], good: set[str], bad: set[str]
) -> None:
    good_run = findings(scan_json("--inventory", str(HERE / "good.yaml")))
    bad_run = findings(scan_json("--inventory", str(HERE / "bad.yaml")))
    assert good_run[(probe, f"inventory identity {identity[0]}")] == good
    assert bad_run[(probe, f"inventory identity {identity[1]}")] == bad


def test_rotation_policy_is_configurable(scan_json: Callable[..., dict[str, Any]]) -> None:
    data = scan_json("--inventory", str(HERE / "bad.yaml"), "--rotation-days", "400")
    assert findings(data)[("credentialRotatedWithinPolicy", "inventory identity codex-ci")] == {"true"}
    messages = [f["message"] for f in data["findings"] if f["probe"] == "credentialRotatedWithinPolicy"]
    assert any("policy: 400 days" in m for m in messages)


def test_schema_errors_name_the_file_and_the_place(run_cli: Callable[..., Result]) -> None:
    result = run_cli("scan", "--inventory", str(HERE / "invalid.yaml"), "--format", "json")
    assert result.exit_code == 0
    errors = [e["message"] for e in json.loads(result.stdout)["errors"]]
    assert any("invalid.yaml" in m and "/identities/0/kind" in m for m in errors)
    assert any("/identities/0/status" in m for m in errors)
    assert any("/identities/0/credentials/0" in m and "id" in m for m in errors)


def test_missing_and_malformed_inventory_are_collection_errors(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nidentities: [\n")
    for path, words in ((tmp_path / "absent.yaml", "no such file"), (broken, "invalid YAML")):
        result = run_cli("scan", "--inventory", str(path), "--format", "json")
        assert result.exit_code == 0
        errors = json.loads(result.stdout)["errors"]
        assert any(words in e["message"] and str(path) in e["message"] for e in errors)
        assert "Traceback" not in result.output


def test_a_secret_in_the_inventory_is_redacted_and_reported(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "version: 1\nidentities:\n  - id: a\n    kind: machine-user\n    status: active\n"
        f"    purpose: 'token {CANARIES['github-token']}'\n"
        f"    credentials:\n      - {{id: k, type: api-key, stored_in: '{CANARIES['anthropic-api-key']}'}}\n"
    )
    for fmt in ("json", "text"):
        result = run_cli("scan", "--inventory", str(inventory), "--format", fmt)
        assert not canary_leaks(result.output)
    errors = json.loads(run_cli("scan", "--inventory", str(inventory), "--format", "json").stdout)["errors"]
    assert sum("holds references only" in e["message"] for e in errors) == 2


def test_without_inventory_identity_controls_name_the_missing_source(
    scan_json: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    data = scan_json(str(tmp_path / "repo"), "--no-git-history")
    nhi9 = next(c for c in data["control_results"] if c["control_id"] == "NHI9")
    assert nhi9["status"] == "not-assessed"
    assert "--inventory" in nhi9["reason"]


def test_shadow_identities_and_unseen_entries(scan_json: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    for repo in ("web-app", "side-project"):
        (tmp_path / repo / ".claude").mkdir(parents=True)
        (tmp_path / repo / ".claude" / "settings.json").write_text('{"permissions": {"allow": ["Bash(npm test)"]}}')
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        (HERE / "good.yaml").read_text() + (HERE / "bad.yaml").read_text().split("identities:\n", 1)[1]
    )
    data = scan_json(str(tmp_path), "--inventory", str(inventory), "--no-git-history")
    names = {s["id"]: s for s in data["subjects"]}
    shadow = {
        names[f["subject"]]["path"].split("/")[0]: f["outcome"]
        for f in data["findings"]
        if f["probe"] == "assistantListedInInventory"
    }
    assert shadow == {"web-app": "true", "side-project": "false"}
    seen = findings(data)
    assert seen[("inventoryIdentitySeen", "inventory identity claude-ci")] == {"true"}
    assert seen[("inventoryIdentitySeen", "inventory identity codex-ci")] == {"false"}
    assert seen[("inventoryIdentitySeen", "inventory identity old-bot")] == {"not-applicable"}


@pytest.mark.parametrize(
    ("match", "entry_assistant", "repository", "job_assistants", "expected"),
    [
        ({"kind": "ci-workflow", "repository": "release-tools"}, "claude-code", "release-tools", ["claude-code"], True),
        (
            {"kind": "ci-workflow", "repository": "release-tools"},
            "codex",
            "release-tools",
            ["claude-code"],
            False,
        ),  # another assistant's job
        (
            {"kind": "ci-workflow", "repository": "release-tools", "assistant": "codex"},
            "",
            "release-tools",
            ["codex"],
            True,
        ),
        (
            {"kind": "ci-workflow", "repository": "release-*"},
            "",
            "acme/release-tools",
            ["codex"],
            True,
        ),  # glob on the last component
        ({"kind": "ci-workflow"}, "", "anything", [], True),  # no repository: any
        ({"kind": "ci-workflow", "repository": "web-app"}, "", "release-tools", ["codex"], False),
        ({"kind": "claude-code", "repository": "release-tools"}, "", "release-tools", ["codex"], False),  # other kind
    ],
)
def test_matching_rule(
    match: dict[str, str], entry_assistant: str, repository: str, job_assistants: list[str], expected: bool
) -> None:
    from nhi_evidence.model import Capability, Subject, Tier
    from nhi_evidence.probes.identity.common import identity_matches_subject

    subject = Subject(
        "ci-workflow:x", "ci-workflow", "job", "x", repository, Capability(Tier.PIPELINE_ACTOR),
        {"assistants": [{"assistant": a} for a in job_assistants]},
    )  # fmt: skip
    entry = {"assistant": entry_assistant, "matches": [match]}
    assert identity_matches_subject(entry, subject) is expected
