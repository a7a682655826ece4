"""Claude Code probes, table-driven: repository files in, outcomes out (through the real collector)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.claude_code import ClaudeCodeCollector
from nhi_evidence.collectors.interface import RepoContext
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import Finding, Outcome
from nhi_evidence.probes import claude
from nhi_evidence.probes.interface import Probe, ProbeContext, run_probes

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PROBES = {probe.definition.id: probe for probe in claude.PROBES}
S = ".claude/settings.json"
L = ".claude/settings.local.json"


def run(tmp_path: Path, files: dict[str, Any], probe: Probe) -> list[Finding]:
    repo = tmp_path / "acme" / "api"
    for relpath, content in files.items():
        path = repo / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    out = ClaudeCodeCollector().collect(RepoContext(FsRepoView(tmp_path, "acme/api"), fixed_clock(NOW)))
    ctx = ProbeContext(out.subjects, {e.id: e for e in out.evidence}, NOW, {}, frozenset({"repository"}))
    return run_probes([probe], ctx)


CASES: list[tuple[str, str, dict[str, Any], list[Outcome]]] = [
    # bypassPermissionsDisabled
    (
        "bypassPermissionsDisabled",
        "bypass-default",
        {S: {"permissions": {"defaultMode": "bypassPermissions"}}},
        [Outcome.FALSE],
    ),
    (
        "bypassPermissionsDisabled",
        "bypass-in-local",
        {S: {}, L: {"permissions": {"defaultMode": "bypassPermissions"}}},
        [Outcome.FALSE],
    ),
    ("bypassPermissionsDisabled", "skip-prompt", {S: {"skipDangerousModePermissionPrompt": True}}, [Outcome.FALSE]),
    ("bypassPermissionsDisabled", "plan", {S: {"permissions": {"defaultMode": "plan"}}}, [Outcome.TRUE]),
    (
        "bypassPermissionsDisabled",
        "local-overrides-to-default",
        {S: {"permissions": {"defaultMode": "bypassPermissions"}}, L: {"permissions": {"defaultMode": "default"}}},
        [Outcome.TRUE],
    ),
    ("bypassPermissionsDisabled", "unset", {S: {"model": "sonnet"}}, [Outcome.TRUE]),
    ("bypassPermissionsDisabled", "no-settings", {"CLAUDE.md": "# x\n"}, [Outcome.NOT_AVAILABLE]),
    # noBlanketShellAllow
    ("noBlanketShellAllow", "bash-star", {S: {"permissions": {"allow": ["Read", "Bash(*)"]}}}, [Outcome.FALSE]),
    ("noBlanketShellAllow", "bare-bash", {L: {"permissions": {"allow": ["Bash"]}}}, [Outcome.FALSE]),
    ("noBlanketShellAllow", "star", {S: {"permissions": {"allow": ["*"]}}}, [Outcome.FALSE]),
    ("noBlanketShellAllow", "double-star", {S: {"permissions": {"allow": ["Bash(**)"]}}}, [Outcome.FALSE]),
    (
        "noBlanketShellAllow",
        "scoped",
        {S: {"permissions": {"allow": ["Bash(npm run test:*)", "Bash(git status)"]}}},
        [Outcome.TRUE],
    ),
    ("noBlanketShellAllow", "no-rules", {S: {"env": {}}}, [Outcome.TRUE]),
    ("noBlanketShellAllow", "no-settings", {".mcp.json": {"mcpServers": {}}}, [Outcome.NOT_AVAILABLE]),
    # secretFilesDenied
    (
        "secretFilesDenied",
        "env-and-keys",
        {S: {"permissions": {"deny": ["Read(./.env)", "Read(**/*.pem)"]}}},
        [Outcome.TRUE],
    ),
    ("secretFilesDenied", "bare-read-deny", {S: {"permissions": {"deny": ["Read"]}}}, [Outcome.TRUE]),
    (
        "secretFilesDenied",
        "sandbox-deny-read",
        {
            S: {
                "permissions": {"deny": ["Read(./.env*)"]},
                "sandbox": {"filesystem": {"denyRead": ["~/.aws/credentials"]}},
            }
        },
        [Outcome.TRUE],
    ),
    ("secretFilesDenied", "env-only", {S: {"permissions": {"deny": ["Read(./.env)"]}}}, [Outcome.FALSE]),
    ("secretFilesDenied", "keys-only", {S: {"permissions": {"deny": ["Read(./secrets/**)"]}}}, [Outcome.FALSE]),
    ("secretFilesDenied", "no-deny", {S: {"permissions": {"allow": ["Bash(ls)"]}}}, [Outcome.FALSE]),
    (
        "secretFilesDenied",
        "deny-unrelated",
        {S: {"permissions": {"deny": ["Bash(rm:*)", "WebFetch"]}}},
        [Outcome.FALSE],
    ),
    ("secretFilesDenied", "no-settings", {"CLAUDE.md": "# x\n"}, [Outcome.NOT_AVAILABLE]),
    # auditHooksOrTelemetryConfigured (local-actor and above)
    (
        "auditHooksOrTelemetryConfigured",
        "telemetry",
        {S: {"permissions": {"allow": ["Bash(ls)"]}, "env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}}},
        [Outcome.TRUE],
    ),
    (
        "auditHooksOrTelemetryConfigured",
        "hook",
        {
            S: {
                "permissions": {"allow": ["Edit"]},
                "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "log.sh"}]}]},
            }
        },
        [Outcome.TRUE],
    ),
    (
        "auditHooksOrTelemetryConfigured",
        "telemetry-off",
        {S: {"permissions": {"allow": ["Bash(ls)"]}, "env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "0"}}},
        [Outcome.FALSE],
    ),
    ("auditHooksOrTelemetryConfigured", "nothing", {S: {"permissions": {"allow": ["Bash(ls)"]}}}, [Outcome.FALSE]),
    (
        "auditHooksOrTelemetryConfigured",
        "hooks-disabled",
        {
            S: {
                "permissions": {"allow": ["Edit"]},
                "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "x"}]}]},
            },
            L: {"disableAllHooks": True},
        },
        [Outcome.FALSE],
    ),
    ("auditHooksOrTelemetryConfigured", "advisory", {S: {"model": "sonnet"}}, [Outcome.NOT_APPLICABLE]),
    (
        "auditHooksOrTelemetryConfigured",
        "no-settings",
        {".mcp.json": {"mcpServers": {"x": {"command": "./x"}}}},
        [Outcome.NOT_AVAILABLE],
    ),
    # projectMcpServersNotAutoEnabled
    (
        "projectMcpServersNotAutoEnabled",
        "all",
        {S: {"enableAllProjectMcpServers": True}, ".mcp.json": {"mcpServers": {"x": {"command": "./x"}}}},
        [Outcome.FALSE],
    ),
    ("projectMcpServersNotAutoEnabled", "all-in-local", {L: {"enableAllProjectMcpServers": True}}, [Outcome.FALSE]),
    ("projectMcpServersNotAutoEnabled", "by-name", {S: {"enabledMcpjsonServers": ["x"]}}, [Outcome.TRUE]),
    ("projectMcpServersNotAutoEnabled", "false", {S: {"enableAllProjectMcpServers": False}}, [Outcome.TRUE]),
    (
        "projectMcpServersNotAutoEnabled",
        "mcp-without-settings",
        {".mcp.json": {"mcpServers": {"x": {"command": "./x"}}}},
        [Outcome.TRUE],
    ),
    ("projectMcpServersNotAutoEnabled", "nothing", {"CLAUDE.md": "# x\n"}, [Outcome.NOT_AVAILABLE]),
    # personalSettingsNotCommitted
    ("personalSettingsNotCommitted", "committed", {L: {"permissions": {"allow": ["Bash(ls)"]}}}, [Outcome.FALSE]),
    ("personalSettingsNotCommitted", "ignored", {L: {}, ".gitignore": ".claude/settings.local.json\n"}, [Outcome.TRUE]),
    ("personalSettingsNotCommitted", "absent", {S: {}}, [Outcome.TRUE]),
    ("personalSettingsNotCommitted", "malformed-but-present", {L: "{ not json", "CLAUDE.md": "x"}, [Outcome.FALSE]),
]


@pytest.mark.parametrize(("probe", "case", "files", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_probe_outcomes(tmp_path: Path, probe: str, case: str, files: dict[str, Any], expected: list[Outcome]) -> None:
    findings = run(tmp_path, files, PROBES[probe])
    assert [f.outcome for f in findings] == expected, [f.message for f in findings]
    for finding in findings:
        assert finding.message.endswith("."), finding.message
        assert "Claude Code in acme/api" in finding.message
        if finding.outcome is Outcome.FALSE:
            assert finding.location is not None
            assert finding.location.path.startswith("acme/api/")
            assert finding.remediation
            assert not re.search(r"\{[a-z_]+\}", finding.remediation), finding.remediation


def test_false_finding_names_file_and_line(tmp_path: Path) -> None:
    files = {S: {"permissions": {"defaultMode": "bypassPermissions"}}}
    (finding,) = run(tmp_path, files, PROBES["bypassPermissionsDisabled"])
    assert finding.message == (
        "Claude Code in acme/api runs without approval prompts: acme/api/.claude/settings.json sets "
        "permissions.defaultMode to bypassPermissions, so every tool runs without asking a person first."
    )
    assert finding.location is not None
    assert finding.location.line == 3
    assert "acme/api/.claude/settings.json" in finding.remediation


def test_malformed_settings_make_probes_not_available_with_the_reason(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, {S: "{ // comment\n}", "CLAUDE.md": "x"}, PROBES["noBlanketShellAllow"])
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "acme/api/.claude/settings.json" in finding.message
    assert "could not be read" in finding.message


def test_family_lists_each_probe_once_with_matching_definition() -> None:
    ids = [probe.definition.id for probe in claude.PROBES]
    assert sorted(ids) == sorted(set(ids))
    for probe in claude.PROBES:
        assert probe.definition.id == type(probe).id
        module = type(probe).__module__.rsplit(".", 1)[-1]
        assert module == re.sub(r"(?<!^)(?=[A-Z])", "_", probe.definition.id).lower()
        assert probe.definition.kinds == ("claude-code",)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "acme"
MINE = (*PROBES, "noInlineSecrets", "mcpServersPinned", "remoteMcpServersUseTls")


def test_example_organisation_makes_each_probe_true_and_false(scan_json: Any) -> None:
    data = scan_json(str(EXAMPLES))
    claude_subjects = {s["id"] for s in data["subjects"] if s["kind"] == "claude-code"}
    for probe in MINE:
        outcomes = {f["outcome"] for f in data["findings"] if f["probe"] == probe and f["subject"] in claude_subjects}
        assert {"true", "false"} <= outcomes, (probe, outcomes)
