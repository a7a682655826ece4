"""The workstation scan (--home): user-level files, managed settings, precedence, no home path in output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant_support import NOW, rendered, write
from nhi_test_support import CANARIES, EXAMPLES, canary_leaks

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.home import HomeCollector
from nhi_evidence.collectors.interface import CollectorOutput, SourceContext
from nhi_evidence.model import Subject


def run(home: Path, roots: tuple[Path, ...] = (), repositories: tuple[str, ...] = ()) -> CollectorOutput:
    ctx = SourceContext(fixed_clock(NOW), {"home": str(home)}, roots, repositories)
    return HomeCollector().collect(ctx)


def by_name(out: CollectorOutput, needle: str) -> Subject:
    found = [s for s in out.subjects if needle in s.name]
    assert len(found) == 1, [s.name for s in out.subjects]
    return found[0]


def test_example_home_collects_every_assistant_with_tilde_paths() -> None:
    out = run(EXAMPLES / "home")
    kinds = sorted({s.kind for s in out.subjects})
    assert kinds == ["aider", "claude-code", "codex", "continue", "cursor", "gemini-cli"]
    assert out.errors == []
    for subject in out.subjects:
        assert subject.path.startswith("~/"), subject.path
        assert all(str(p).startswith("~/") for p in subject.facts["sources"])
    for evidence in out.evidence:
        assert evidence.source.startswith("~/")
    text = rendered(out)
    assert str(EXAMPLES) not in text
    assert "/home/dana" not in text
    # ~/.claude.json keeps only MCP servers and per-project permissions, not session history.
    assert "must not reach an audit pack" not in text
    assert "numStartups" not in text


def test_managed_deny_beats_project_allow_and_disables_bypass(tmp_path: Path) -> None:
    home = write(
        tmp_path / "home",
        {
            "etc/claude-code/managed-settings.json": {
                "permissions": {"disableBypassPermissionsMode": "disable", "deny": ["Bash(*)", "WebFetch"]}
            },
            ".claude/settings.json": {"permissions": {"defaultMode": "acceptEdits"}},
        },
    )
    repos = write(
        tmp_path / "org",
        {
            "api/.claude/settings.json": {
                "permissions": {"defaultMode": "bypassPermissions", "allow": ["Bash(*)", "WebFetch(domain:*)"]}
            },
            "api/.git/HEAD": "ref: refs/heads/main\n",
        },
    )
    out = run(home, (repos,), ("api",))
    effective = by_name(out, "for api")
    facts = effective.facts
    assert facts["scope"] == "effective"
    assert effective.repository == "api"
    assert [s["scope"] for s in facts["settings_scopes"]] == ["user", "project", "managed"]
    assert facts["approval"]["mode"] == "default"
    assert facts["approval"]["auto_approve_all"] is False
    assert facts["shell"]["unrestricted"] is False
    assert facts["network"]["unrestricted"] is False
    assert facts["permissions"]["allow_overridden_by_deny"] == ["Bash(*)"]
    trace = {t["setting"]: t for t in facts["precedence"]}
    assert trace["permissions.defaultMode"]["scope"] == "project"
    assert trace["permissions.defaultMode"]["effective_value"] == "default"
    assert trace["permissions.defaultMode"]["overrides"] == [
        {"scope": "user", "path": "~/.claude/settings.json", "value": "acceptEdits"}
    ]
    workstation = by_name(out, "for the workstation")
    assert workstation.facts["approval"]["mode"] == "acceptEdits"


def test_managed_rules_only_drops_lower_rules(tmp_path: Path) -> None:
    home = write(
        tmp_path,
        {
            "etc/claude-code/managed-settings.json": {
                "allowManagedPermissionRulesOnly": True,
                "permissions": {"allow": ["Bash(npm test)"]},
            },
            ".claude/settings.json": {"permissions": {"allow": ["Bash(*)"]}},
        },
    )
    facts = by_name(run(home), "workstation").facts
    assert facts["permissions"]["allow"] == ["Bash(npm test)"]
    assert facts["shell"]["unrestricted"] is False


def test_user_files_secrets_and_errors_never_leak(tmp_path: Path) -> None:
    home = write(
        tmp_path,
        {
            ".claude.json": {
                "mcpServers": {"gh": {"command": "npx", "args": ["-y", "x"], "env": {"T": CANARIES["github-token"]}}},
                "oauthAccount": {"emailAddress": "dana@example.org"},
            },
            ".codex/config.toml": f'[mcp_servers.a]\ncommand = "x"\nenv = {{ K = "{CANARIES["aws-access-key-id"]}" }}\n',
            ".gemini/settings.json": '{"mcpServers": {"a": {"command": "x", "env": {"K": "'
            + CANARIES["slack-token"]
            + '"}}',
        },
    )
    out = run(home)
    text = rendered(out)
    assert canary_leaks(text) == []
    assert "dana@example.org" not in text
    assert [e.path for e in out.errors] == ["~/.gemini/settings.json"]
    claude = by_name(out, "workstation")
    assert [s["detector"] for s in claude.facts["secrets"]] == ["github-token"]


def test_missing_home_is_an_error_without_the_path(tmp_path: Path) -> None:
    out = run(tmp_path / "nope")
    assert out.subjects == []
    assert len(out.errors) == 1
    assert str(tmp_path) not in out.errors[0].message


def test_cli_scan_with_home_shows_tilde(scan_json: Callable[..., dict[str, Any]]) -> None:
    data = scan_json(str(EXAMPLES / "acme"), "--home", str(EXAMPLES / "home"))
    text = json.dumps(data)
    assert str(EXAMPLES / "home") not in text
    assert data["assessment"]["scope"]["sources"]["home"] == "~"
    assert any(s["path"] == "~/.codex/config.toml" for s in data["subjects"])
    assert canary_leaks(text) == []


def _canary_tree(root: Path) -> None:
    """Every file type the assistant collectors read, each holding canaries (and one malformed copy)."""
    c = CANARIES
    write(
        root / "org" / "repo",
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".cursor/mcp.json": '{"mcpServers": {"a": {"command": "x", "args": ["--token", "'
            + c["github-token"]
            + '"]}}}',
            ".cursor/cli.json": '{"permissions": {"allow": ["Shell(echo ' + c["openai-api-key"] + ')"]}}',
            ".cursor/permissions.json": '{"terminalAllowlist": ["curl -H \'Authorization: Bearer '
            + c["bearer-token"]
            + "'\"]}",
            ".vscode/mcp.json": '{"servers": {"a": {"url": "https://h.example", "headers": {"Authorization": "Bearer '
            + c["bearer-token"]
            + '"}}},}',
            ".vscode/settings.json": '{"chat.tools.autoApprove": true, "chat.x": "' + c["slack-token"] + '"}',
            ".github/workflows/copilot-setup-steps.yml": (
                "on: workflow_dispatch\njobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - uses: actions/checkout@v4\n        with:\n          token: {c['github-fine-grained-pat']}\n"
            ),
            ".codex/config.toml": f'[mcp_servers.a]\ncommand = "x"\nenv = {{ K = "{c["aws-access-key-id"]}" }}\n',
            ".gemini/settings.json": '{"mcpServers": {"a": {"command": "x", "env": {"K": "'
            + c["anthropic-api-key"]
            + '"}}}}',
            ".aider.conf.yml": f"openai-api-key: {c['openai-api-key']}\n",
            ".continue/config.yaml": f"models:\n  - name: a\n    apiKey: {c['anthropic-api-key']}\n",
            ".continue/mcpServers/b.yaml": f"mcpServers:\n  - name: b\n    command: x\n    env: {{T: {c['slack-token']}}}\n",
        },
    )
    write(
        root / "org" / "broken",
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".codex/config.toml": f'k = "{c["github-token"]}\n',
            ".gemini/settings.json": '{"a": "' + c["openai-api-key"] + '",,,',
            ".aider.conf.yml": f"a: [{c['aws-access-key-id']}\n",
            ".continue/config.yaml": f"models: {{ {c['slack-token']}\n",
            ".vscode/mcp.json": '{"servers": ' + c["github-token"],
        },
    )
    write(
        root / "home",
        {
            ".claude.json": '{"mcpServers": {"a": {"command": "x", "env": {"T": "' + c["github-token"] + '"}}}}',
            ".claude/settings.json": '{"env": {"ANTHROPIC_API_KEY": "' + c["anthropic-api-key"] + '"}}',
            "etc/claude-code/managed-settings.json": '{"env": {"X_TOKEN": "' + c["bearer-token"] + '"}',
            ".cursor/cli-config.json": '{"permissions": {"allow": ["Shell(' + c["openai-api-key"] + ')"]}}',
        },
    )


def test_no_canary_reaches_any_output_or_error(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    _canary_tree(tmp_path)
    for fmt in ("json", "text", "sarif", "markdown", "csv", "html"):
        result = run_cli("scan", str(tmp_path / "org"), "--home", str(tmp_path / "home"), "--format", fmt)
        assert result.exit_code in (0, 1), result.output
        assert canary_leaks(result.stdout + result.stderr) == [], fmt
    oscal = tmp_path / "oscal"
    result = run_cli(
        "scan", str(tmp_path / "org"), "--home", str(tmp_path / "home"), "--format", "oscal", "--output", str(oscal)
    )
    assert result.exit_code in (0, 1), result.output
    written = "".join(p.read_text(encoding="utf-8") for p in sorted(oscal.rglob("*")) if p.is_file())
    assert written
    assert canary_leaks(written + result.stdout + result.stderr) == []
    data = json.loads(
        run_cli("scan", str(tmp_path / "org"), "--home", str(tmp_path / "home"), "--format", "json").stdout
    )
    errored = sorted(e["path"] for e in data["errors"])
    assert "broken/.codex/config.toml" in errored
    assert "~/etc/claude-code/managed-settings.json" in errored
    assert str(tmp_path / "home") not in json.dumps(data)
