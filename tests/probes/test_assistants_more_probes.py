"""Approval, shell, network, sandbox, MCP trust, instruction, Copilot setup steps and Aider probes:
table-driven over subject facts, plus the bundled examples (every probe true and false somewhere)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from nhi_test_support import EXAMPLES

from nhi_evidence.model import Capability, Outcome, Subject, Tier
from nhi_evidence.probes.assistants import PROBES
from nhi_evidence.probes.interface import ProbeContext, run_probes

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
BY_ID = {probe.definition.id: probe for probe in PROBES}
NEW = (
    "approvalPromptsKept",
    "shellCommandsRestricted",
    "networkAccessRestricted",
    "sandboxEnabled",
    "mcpServersNotTrusted",
    "instructionFilesPresent",
    "copilotSetupStepsLeastPrivilege",
    "aiderAutoCommitsDisabled",
    "managedSettingsEnforced",
)


def subject(kind: str, facts: dict[str, Any], tier: Tier = Tier.LOCAL_ACTOR) -> Subject:
    return Subject(f"{kind}:x", kind, f"{kind} in repo", "repo/file", "repo", Capability(tier, ("test",)), facts)


def outcomes(probe_id: str, item: Subject) -> list[Outcome]:
    findings = run_probes([BY_ID[probe_id]], ProbeContext([item], {}, NOW))
    return [f.outcome for f in findings]


def where(**values: Any) -> dict[str, Any]:
    return {"path": "repo/file", "line": 3, **values}


SETUP_OK = {
    "path": "s.yml",
    "line": 1,
    "job_found": True,
    "permissions": {"source": "job"},
    "write_permissions": [],
    "pat_used": False,
    "checkout_tokens": [],
}

CASES: list[tuple[str, str, dict[str, Any], list[Outcome]]] = [
    ("approvalPromptsKept", "codex", {"approval": where(mode="never", auto_approve_all=True)}, [Outcome.FALSE]),
    ("approvalPromptsKept", "aider", {"approval": where(mode="confirm", auto_approve_all=False)}, [Outcome.TRUE]),
    (
        "approvalPromptsKept",
        "gemini-cli",
        {"approval": where(mode=None, auto_approve_all=None)},
        [Outcome.NOT_AVAILABLE],
    ),
    ("approvalPromptsKept", "cursor", {}, [Outcome.NOT_AVAILABLE]),
    ("shellCommandsRestricted", "cursor", {"shell": where(unrestricted=True, rules=["Shell(**)"])}, [Outcome.FALSE]),
    ("shellCommandsRestricted", "cursor", {"shell": where(unrestricted=False, rules=["Shell(ls)"])}, [Outcome.TRUE]),
    ("shellCommandsRestricted", "codex", {"shell": where(unrestricted=None, rules=[])}, [Outcome.NOT_AVAILABLE]),
    ("networkAccessRestricted", "codex", {"network": where(unrestricted=True, rules=[])}, [Outcome.FALSE]),
    ("networkAccessRestricted", "claude-code", {"network": where(unrestricted=False, rules=[])}, [Outcome.TRUE]),
    ("sandboxEnabled", "codex", {"sandbox": where(enabled=False, mode="danger-full-access")}, [Outcome.FALSE]),
    ("sandboxEnabled", "gemini-cli", {"sandbox": where(enabled=True, mode="docker")}, [Outcome.TRUE]),
    ("sandboxEnabled", "gemini-cli", {"sandbox": where(enabled=None)}, [Outcome.NOT_AVAILABLE]),
    (
        "mcpServersNotTrusted",
        "gemini-cli",
        {
            "mcp_servers": [
                {"name": "a", "trusted": True},
                {"name": "b", "trusted": False},
                {"name": "c", "trusted": None},
            ]
        },
        [Outcome.FALSE, Outcome.TRUE],
    ),
    ("mcpServersNotTrusted", "cursor", {"mcp_servers": [{"name": "a", "trusted": None}]}, [Outcome.NOT_APPLICABLE]),
    (
        "mcpServersNotTrusted",
        "gemini-cli",
        {"mcp_servers": [{"name": "a", "trusted": True, "disabled": True}]},
        [Outcome.NOT_APPLICABLE],
    ),
    ("instructionFilesPresent", "codex", {"instructions": ["AGENTS.md"]}, [Outcome.TRUE]),
    ("instructionFilesPresent", "cursor", {"instructions": []}, [Outcome.FALSE]),
    ("instructionFilesPresent", "cursor", {}, [Outcome.NOT_AVAILABLE]),
    ("copilotSetupStepsLeastPrivilege", "copilot", {"copilot_setup_steps": SETUP_OK}, [Outcome.TRUE]),
    (
        "copilotSetupStepsLeastPrivilege",
        "copilot",
        {"copilot_setup_steps": {**SETUP_OK, "write_permissions": ["contents"]}},
        [Outcome.FALSE],
    ),
    (
        "copilotSetupStepsLeastPrivilege",
        "copilot",
        {"copilot_setup_steps": {**SETUP_OK, "pat_used": True, "checkout_tokens": [{"secrets": ["BOT_PAT"]}]}},
        [Outcome.FALSE],
    ),
    (
        "copilotSetupStepsLeastPrivilege",
        "copilot",
        {"copilot_setup_steps": {**SETUP_OK, "permissions": {"source": "default"}}},
        [Outcome.FALSE],
    ),
    (
        "copilotSetupStepsLeastPrivilege",
        "copilot",
        {"copilot_setup_steps": {**SETUP_OK, "job_found": False}},
        [Outcome.NOT_APPLICABLE],
    ),
    ("copilotSetupStepsLeastPrivilege", "copilot", {}, [Outcome.NOT_AVAILABLE]),
    ("aiderAutoCommitsDisabled", "aider", {"aider": where(auto_commits=True, git=True)}, [Outcome.FALSE]),
    ("aiderAutoCommitsDisabled", "aider", {"aider": where(auto_commits=False, git=True)}, [Outcome.TRUE]),
    ("aiderAutoCommitsDisabled", "aider", {"aider": where(auto_commits=True, git=False)}, [Outcome.TRUE]),
    (
        "managedSettingsEnforced",
        "claude-code",
        {
            "managed_present": True,
            "settings_scopes": [{"scope": "user", "path": "~/a"}, {"scope": "managed", "path": "~/m"}],
        },
        [Outcome.TRUE],
    ),
    (
        "managedSettingsEnforced",
        "claude-code",
        {"managed_present": False, "settings_scopes": [{"scope": "user", "path": "~/a"}]},
        [Outcome.FALSE],
    ),
    ("managedSettingsEnforced", "claude-code", {"approval": {}}, []),
]


@pytest.mark.parametrize(("probe_id", "kind", "facts", "expected"), CASES)
def test_probe_table(probe_id: str, kind: str, facts: dict[str, Any], expected: list[Outcome]) -> None:
    assert outcomes(probe_id, subject(kind, facts)) == expected


def test_instructions_probe_is_not_applicable_to_advisory_subjects() -> None:
    assert outcomes("instructionFilesPresent", subject("cursor", {"instructions": []}, Tier.ADVISORY)) == [
        Outcome.NOT_APPLICABLE
    ]


def test_false_findings_fill_the_remediation() -> None:
    item = subject("codex", {"approval": where(mode="never", auto_approve_all=True)})
    finding = run_probes([BY_ID["approvalPromptsKept"]], ProbeContext([item], {}, NOW))[0]
    assert "never" in finding.remediation
    assert "repo/file" in finding.remediation
    assert "{" not in finding.remediation


def test_every_new_probe_is_true_and_false_in_the_examples(scan_json: Callable[..., dict[str, Any]]) -> None:
    seen: dict[str, set[str]] = {probe: set() for probe in NEW}
    for home in ("home", "home-unmanaged"):
        data = scan_json(str(EXAMPLES / "acme"), "--home", str(EXAMPLES / home))
        for finding in data["findings"]:
            if finding["probe"] in seen:
                seen[finding["probe"]].add(finding["outcome"])
    assert {probe: {"true", "false"} <= outcomes for probe, outcomes in seen.items()} == dict.fromkeys(NEW, True)
