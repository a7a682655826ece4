"""The Claude Code collector: facts, precedence, capability tiers, bad input and secrets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from assistant_support import NOW, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.claude_code import (
    ClaudeCodeCollector,
    gitignore_matches,
    is_blanket_shell,
    rule_covers,
)
from nhi_evidence.collectors.interface import CollectorOutput, RepoContext
from nhi_evidence.files import FsRepoView, SourceUnreadable
from nhi_evidence.model import Subject, Tier


def collect(root: Path, max_bytes: int = 2 * 1024 * 1024) -> CollectorOutput:
    view = FsRepoView(root, "", max_bytes)
    return ClaudeCodeCollector().collect(RepoContext(view, fixed_clock(NOW)))


def subject_of(out: CollectorOutput) -> Subject:
    assert len(out.subjects) == 1, out
    return out.subjects[0]


# -- facts ---------------------------------------------------------------------------------------------


def test_no_claude_file_gives_no_subject(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# nothing here\n"})
    out = collect(tmp_path)
    assert out.subjects == []
    assert out.errors == []
    assert out.evidence == []


def test_documented_security_fields_become_facts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".claude/settings.json": {
                "permissions": {
                    "allow": ["Bash(npm run test:*)", "WebFetch(domain:*)"],
                    "deny": ["Read(./.env)", "Read(./secrets/**)"],
                    "ask": ["Bash(git push:*)"],
                    "defaultMode": "acceptEdits",
                    "additionalDirectories": ["../shared"],
                    "disableBypassPermissionsMode": "disable",
                },
                "enableAllProjectMcpServers": False,
                "enabledMcpjsonServers": ["docs"],
                "disabledMcpjsonServers": ["old"],
                "env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_LOGS_EXPORTER": "otlp"},
                "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt.sh"}]}]},
                "apiKeyHelper": "/usr/local/bin/issue-key",
                "sandbox": {"enabled": True, "autoAllowBashIfSandboxed": False},
                "enabledPlugins": {"formatter@acme": True, "off@acme": False},
                "someFutureKey": {"x": 1},
            },
            "CLAUDE.md": "# project\n",
        },
    )
    facts = subject_of(collect(tmp_path)).facts
    assert facts["permissions"]["allow"] == ["Bash(npm run test:*)", "WebFetch(domain:*)"]
    assert facts["permissions"]["deny"] == ["Read(./.env)", "Read(./secrets/**)"]
    assert facts["permissions"]["ask"] == ["Bash(git push:*)"]
    assert facts["permissions"]["additional_directories"] == ["../shared"]
    assert facts["approval"]["mode"] == "acceptEdits"
    assert facts["approval"]["auto_approve_all"] is False
    assert facts["approval"]["bypass_disabled"] is True
    assert facts["approval"]["line"] == 14
    assert facts["mcp_auto_enable"] == {
        "all": False,
        "servers": ["docs"],
        "disabled": ["old"],
        "path": ".claude/settings.json",
        "line": 20,
    }
    assert facts["telemetry"]["enabled"] is True
    assert facts["telemetry"]["exporter"] == "otlp"
    assert facts["hooks"][0]["event"] == "PostToolUse"
    assert facts["hooks"][0]["command"] == "fmt.sh"
    assert facts["api_key_helper"]["set"] is True
    assert facts["sandbox"]["enabled"] is True
    assert facts["sandbox"]["auto_allow_bash"] is False
    assert facts["network"]["unrestricted"] is True
    assert facts["shell"]["unrestricted"] is False
    assert facts["secret_files_denied"]["denied"] is True
    assert facts["plugins"]["enabled"] == ["formatter@acme"]
    assert facts["unknown_keys"] == ["someFutureKey"]
    assert facts["instructions"] == ["CLAUDE.md"]
    assert facts["sources"] == [".claude/settings.json"]


def test_local_settings_take_precedence_and_arrays_merge(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".claude/settings.json": {
                "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"], "defaultMode": "plan"},
                "env": {"A": "project", "B": "project"},
            },
            ".claude/settings.local.json": {
                "permissions": {"allow": ["Bash(git push:*)", "Bash(npm test)"], "defaultMode": "bypassPermissions"},
                "env": {"A": "local"},
            },
        },
    )
    facts = subject_of(collect(tmp_path)).facts
    assert facts["permissions"]["allow"] == ["Bash(npm test)", "Bash(git push:*)"]
    assert facts["permissions"]["deny"] == ["Read(./.env)"]
    assert facts["permissions"]["rule_sources"]["allow:Bash(git push:*)"] == ".claude/settings.local.json"
    assert facts["approval"]["mode"] == "bypassPermissions"
    assert facts["approval"]["path"] == ".claude/settings.local.json"
    assert facts["env_keys"] == ["A", "B"]
    assert facts["personal_settings"] == {"present": True, "gitignored": False, "path": ".claude/settings.local.json"}


@pytest.mark.parametrize(
    ("gitignore", "ignored"),
    [
        (".claude/settings.local.json\n", True),
        ("*.local.json\n", True),
        ("settings.local.json\n", True),
        ("/.claude/\n", True),
        (".claude/*\n!.claude/settings.json\n", True),
        (".claude/*\n!.claude/settings.local.json\n", False),
        ("node_modules/\n", False),
        ("# .claude/settings.local.json\n", False),
    ],
)
def test_gitignore_rules_decide_whether_local_settings_are_committed(gitignore: str, ignored: bool) -> None:
    assert gitignore_matches(gitignore.split("\n"), ".claude/settings.local.json") is ignored


def test_ignored_local_settings_are_recorded_as_ignored(tmp_path: Path) -> None:
    write(tmp_path, {".claude/settings.local.json": {"permissions": {}}, ".gitignore": ".claude/settings.local.json\n"})
    facts = subject_of(collect(tmp_path)).facts
    assert facts["personal_settings"]["gitignored"] is True


def test_mcp_servers_are_normalised_with_their_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".mcp.json": {
                "mcpServers": {
                    "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]},
                    "remote": {"type": "http", "url": "http://mcp.example.com/mcp", "headers": {"X-Api-Key": "${K}"}},
                }
            }
        },
    )
    facts = subject_of(collect(tmp_path)).facts
    servers = {s["name"]: s for s in facts["mcp_servers"]}
    assert servers["fs"]["launcher"] == "npx"
    assert servers["fs"]["pinned"] is True
    assert servers["remote"]["insecure_http"] is True
    assert servers["remote"]["header_keys"] == ["X-Api-Key"]
    assert servers["remote"]["line"] == 11
    assert facts["secrets"] == []  # ${K} is a reference, not a secret
    assert facts["settings_present"] is False


def test_agents_and_commands_front_matter_tools(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".claude/agents/deployer.md": "---\nname: deployer\ntools: Read, Bash(npm publish:*)\n---\nDeploy.\n",
            ".claude/commands/check.md": "---\nallowed-tools: [Bash(npm test)]\n---\nCheck.\n",
            ".claude/commands/plain.md": "No front matter.\n",
        },
    )
    subject = subject_of(collect(tmp_path))
    assert subject.facts["agents"] == [
        {"path": ".claude/agents/deployer.md", "name": "deployer", "tools": ["Read", "Bash(npm publish:*)"]}
    ]
    assert [c["tools"] for c in subject.facts["commands"]] == [["Bash(npm test)"], None]
    assert subject.capability.tier is Tier.RELEASE_ACTOR


# -- rules and capability ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "blanket"),
    [
        ("*", True),
        ("Bash", True),
        ("Bash(*)", True),
        ("Bash(**)", True),
        ("Bash(:*)", True),
        ("PowerShell(*)", True),
        ("Bash(git *)", False),
        ("Bash(npm run test:*)", False),
        ("Read", False),
        ("Edit(*)", False),
    ],
)
def test_blanket_shell_rules(rule: str, blanket: bool) -> None:
    assert is_blanket_shell(rule) is blanket


@pytest.mark.parametrize(
    ("rule", "command", "covers"),
    [
        ("Bash(git *)", "git push", True),
        ("Bash(git:*)", "git push", True),
        ("Bash(git push:*)", "git push", True),
        ("Bash(git push origin main)", "git push", True),
        ("Bash(git status:*)", "git push", False),
        ("Bash(npm run build)", "npm publish", False),
        ("Bash(npm *)", "npm publish", True),
        ("Bash(gh:*)", "gh pr create", True),
        ("Bash(awk:*)", "aws", False),
        ("Read(./**)", "git push", False),
        ("Bash(*)", "terraform apply", True),
    ],
)
def test_rule_covers_commands(rule: str, command: str, covers: bool) -> None:
    assert rule_covers(rule, command) is covers


@pytest.mark.parametrize(
    ("files", "tier"),
    [
        ({"CLAUDE.md": "# Notes\n"}, Tier.ADVISORY),
        ({".claude/settings.json": {"enabledPlugins": {"x@y": True}}}, Tier.ADVISORY),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(npm test)"]}}}, Tier.LOCAL_ACTOR),
        ({".claude/settings.json": {"permissions": {"allow": ["Edit(src/**)"]}}}, Tier.LOCAL_ACTOR),
        ({".mcp.json": {"mcpServers": {"x": {"command": "./server"}}}}, Tier.LOCAL_ACTOR),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(git push:*)"]}}}, Tier.REPOSITORY_ACTOR),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(gh pr create:*)"]}}}, Tier.REPOSITORY_ACTOR),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(*)"]}}}, Tier.REPOSITORY_ACTOR),
        ({".claude/settings.json": {"permissions": {"defaultMode": "bypassPermissions"}}}, Tier.REPOSITORY_ACTOR),
        (
            {".mcp.json": {"mcpServers": {"github": {"command": "gh-mcp", "env": {"GITHUB_TOKEN": "${T}"}}}}},
            Tier.REPOSITORY_ACTOR,
        ),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(npm publish:*)"]}}}, Tier.RELEASE_ACTOR),
        (
            {".claude/settings.json": {"permissions": {"allow": ["Bash(npm *)"], "deny": ["Bash(npm publish:*)"]}}},
            Tier.LOCAL_ACTOR,
        ),
        (
            {".claude/settings.json": {"permissions": {"allow": ["Bash(git *)"], "ask": ["Bash(git push:*)"]}}},
            Tier.LOCAL_ACTOR,
        ),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(terraform apply)"]}}}, Tier.RELEASE_ACTOR),
        ({".claude/settings.json": {"permissions": {"allow": ["Bash(kubectl:*)"]}}}, Tier.RELEASE_ACTOR),
        (
            {".mcp.json": {"mcpServers": {"aws": {"command": "uvx", "args": ["awslabs.aws-api-mcp-server"]}}}},
            Tier.RELEASE_ACTOR,
        ),
    ],
)
def test_capability_tier_from_evidence(tmp_path: Path, files: dict[str, Any], tier: Tier) -> None:
    subject = subject_of(collect(write(tmp_path, files)))
    assert subject.capability.tier is tier, subject.capability
    assert all(reason.endswith(".") for reason in subject.capability.reasons)


# -- bad input -----------------------------------------------------------------------------------------

SETTINGS = ".claude/settings.json"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"permissions": {"allow": ["Bash(ls)"]', "invalid JSON"),
        (b'{\n  // team rules\n  "permissions": {}\n}', "invalid JSON"),
        (b'{"permissions": {"allow": ["Bash(ls)",]}}', "invalid JSON"),
        (b'{"env": {"A": "\xff\xfe"}}', "invalid UTF-8"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'["not", "an", "object"]', "not a JSON object"),
    ],
    ids=["truncated", "comment", "trailing-comma", "invalid-utf8", "empty", "blank", "array"],
)
def test_malformed_settings_are_recorded_errors_and_the_rest_is_read(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    write(tmp_path, {SETTINGS: content, ".mcp.json": {"mcpServers": {"x": {"command": "./x"}}}})
    out = collect(tmp_path)
    errors = [e for e in out.errors if e.path == SETTINGS]
    assert len(errors) == 1, out.errors
    assert needle in errors[0].message
    assert SETTINGS in errors[0].message
    assert [s["name"] for s in subject_of(out).facts["mcp_servers"]] == ["x"]


def test_comment_line_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {SETTINGS: b'{\n  "model": "x",\n  // why\n  "env": {}\n}'})
    (error,) = collect(tmp_path).errors
    assert error.line == 3


@pytest.mark.parametrize(
    "content",
    [
        b'\xef\xbb\xbf{"permissions": {"defaultMode": "plan"}}',
        b'{\r\n  "permissions": {\r\n    "defaultMode": "plan"\r\n  }\r\n}\r\n',
    ],
    ids=["bom", "crlf"],
)
def test_bom_and_crlf_are_read_like_claude_code_does(tmp_path: Path, content: bytes) -> None:
    write(tmp_path, {SETTINGS: content})
    out = collect(tmp_path)
    assert out.errors == []
    facts = subject_of(out).facts
    assert facts["approval"]["mode"] == "plan"
    assert facts["approval"]["line"] == (3 if b"\r\n" in content else 1)


def test_file_over_the_size_cap_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {SETTINGS: {"env": {"PAD": "x" * 5000}}, "CLAUDE.md": "# x\n"})
    out = collect(tmp_path, max_bytes=1024)
    assert [s.path for s in out.skips] == [SETTINGS]
    assert "size cap" in out.skips[0].reason
    assert subject_of(out).facts["settings_present"] is False


def test_symlink_leaving_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"secret.json": {"env": {"K": CANARIES["openai-api-key"]}}})
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    os.symlink(outside / "secret.json", repo / SETTINGS)
    os.symlink(outside / "secret.json", repo / ".mcp.json")
    view = FsRepoView(repo, "")
    out = ClaudeCodeCollector().collect(RepoContext(view, fixed_clock(NOW)))
    assert sorted(s.path for s in out.skips) == [".claude/settings.json", ".mcp.json"]
    assert all("leaves the scanned root" in s.reason for s in out.skips)
    assert not canary_leaks(repr(out))


class _ClosedFolderView(FsRepoView):
    """A view where some folders cannot be listed, as with permission bits that bind."""

    def __init__(self, root: Path, closed: set[str]) -> None:
        super().__init__(root, "")
        self.closed = closed

    def list_dir(self, relpath: str) -> list[str]:
        if relpath in self.closed:
            raise SourceUnreadable("permission denied")
        return super().list_dir(relpath)


def test_unlistable_folders_are_recorded_errors(tmp_path: Path) -> None:
    write(tmp_path, {SETTINGS: {"permissions": {}}, ".claude/agents/a.md": "x", ".claude/commands/c.md": "x"})
    view = _ClosedFolderView(tmp_path, {".claude/agents", ".claude/commands"})
    out = ClaudeCodeCollector().collect(RepoContext(view, fixed_clock(NOW)))
    assert sorted(e.path for e in out.errors) == [".claude/agents", ".claude/commands"]
    assert all("permission denied" in e.message for e in out.errors)
    assert subject_of(out).facts["settings_present"] is True


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None, reason="root needs setpriv")
@pytest.mark.parametrize("closed", [SETTINGS, ".claude/agents"])
def test_unreadable_file_or_folder_is_recorded_from_the_cli(tmp_path: Path, closed: str) -> None:
    repo = write(
        tmp_path / "org" / "repo",
        {SETTINGS: {"permissions": {}}, ".mcp.json": {"mcpServers": {}}, ".claude/agents/a.md": "---\n---\n"},
    )
    (repo / closed).chmod(0)
    command = [sys.executable, "-m", "nhi_evidence", "scan", str(tmp_path / "org"), "--format", "json"]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NHI_EVIDENCE_NOW": "2026-11-25T12:00:00Z"},
        )
    finally:
        (repo / closed).chmod(0o755)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    mine = [e for e in data["errors"] if e["collector"] == "claude-code"]
    assert [e["path"] for e in mine] == [f"repo/{closed}"]
    assert "permission denied" in mine[0]["message"]
    assert f"repo/{closed}" in mine[0]["message"]
    assert "repo/.mcp.json" in [e["source"] for e in data["evidence"]]


def test_template_settings_files_are_recorded_as_skips(tmp_path: Path) -> None:
    write(tmp_path, {".claude/settings.json.tpl": "{", ".claude/settings.example.json": "{}", "CLAUDE.md": "x"})
    out = collect(tmp_path)
    assert sorted(s.path for s in out.skips) == [".claude/settings.example.json", ".claude/settings.json.tpl"]
    assert out.errors == []


# -- secrets -------------------------------------------------------------------------------------------


def _canary_repo(root: Path) -> Path:
    return write(
        root / "org" / "leaky",
        {
            SETTINGS: {
                "env": {
                    "ANTHROPIC_API_KEY": CANARIES["anthropic-api-key"],
                    "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {CANARIES['bearer-token']}",
                    "AWS_ACCESS_KEY_ID": CANARIES["aws-access-key-id"],
                },
                "apiKeyHelper": f"echo {CANARIES['openai-api-key']}",
                "hooks": {
                    "Stop": [{"hooks": [{"type": "command", "command": f"notify --token {CANARIES['slack-token']}"}]}]
                },
            },
            ".claude/settings.local.json": {"env": {"GH_TOKEN": CANARIES["github-fine-grained-pat"]}},
            ".mcp.json": {
                "mcpServers": {
                    "gh": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-github", "--token", CANARIES["github-token"]],
                        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": CANARIES["github-token"]},
                    },
                    "api": {
                        "type": "http",
                        "url": f"https://user:{CANARIES['bearer-token']}@mcp.example.com/mcp",
                        "headers": {"Authorization": f"Bearer {CANARIES['bearer-token']}"},
                    },
                }
            },
            "CLAUDE.md": f"Use the key {CANARIES['openai-api-key']} for tests.\n",
            # A malformed file holding a canary: its error message must not echo it.
            ".claude/agents/broken.md": f"---\ntools: [{CANARIES['slack-token']}\n---\n",
        },
    )


def test_canaries_never_reach_facts_or_evidence(tmp_path: Path) -> None:
    repo = _canary_repo(tmp_path)
    out = ClaudeCodeCollector().collect(RepoContext(FsRepoView(repo, ""), fixed_clock(NOW)))
    assert not canary_leaks(repr(out))
    detectors = sorted({s["detector"] for s in subject_of(out).facts["secrets"]})
    assert {"anthropic-api-key", "aws-access-key-id", "github-token", "github-fine-grained-pat", "slack-token"} <= set(
        detectors
    )
    lines = {(s["path"], s["key"]): s["line"] for s in subject_of(out).facts["secrets"]}
    assert lines[(SETTINGS, "ANTHROPIC_API_KEY")] == 3
    assert lines[("CLAUDE.md", "")] == 1


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "markdown", "csv", "html", "oscal"])
def test_canaries_absent_from_cli_outputs(tmp_path: Path, run_cli: Any, fmt: str) -> None:
    _canary_repo(tmp_path)
    (tmp_path / "org" / "broken" / ".claude").mkdir(parents=True)
    (tmp_path / "org" / "broken" / SETTINGS).write_text(f'{{"env": {{"K": "{CANARIES["github-token"]}"')
    out = tmp_path / "out"
    result = run_cli(
        "scan", str(tmp_path / "org"), "--format", fmt, *(["--output", str(out)] if fmt == "oscal" else [])
    )
    assert result.exit_code == 0, result.output
    written = (
        "".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*")) if p.is_file()) if out.exists() else ""
    )
    assert written or fmt != "oscal"
    assert not canary_leaks(result.output + written)
    if fmt == "json":
        data = json.loads(result.stdout)
        assert any(e["path"] == "broken/.claude/settings.json" for e in data["errors"])
        assert any(f["probe"] == "noInlineSecrets" and f["outcome"] == "false" for f in data["findings"])


def test_bare_server_map_is_kept_and_flagged(tmp_path: Path) -> None:
    write(tmp_path, {".mcp.json": {"tool": {"command": "tool", "args": ["mcp", "serve"]}}})
    facts = subject_of(collect(tmp_path)).facts
    assert [s["name"] for s in facts["mcp_servers"]] == ["tool"]
    assert facts["mcp_format"] == "bare"


def test_secret_line_follows_its_pointer_not_the_first_key(tmp_path: Path) -> None:
    servers = {
        "first": {"command": "npx", "args": ["-y", "tool-a@1.0.0"], "env": {"TOKEN": "${A}"}},
        "second": {"command": "npx", "args": ["-y", "tool-b@1.0.0", "--token", CANARIES["github-token"]]},
    }
    write(tmp_path, {".mcp.json": {"mcpServers": servers}})
    text = (tmp_path / ".mcp.json").read_text()
    expected = next(n for n, line in enumerate(text.split("\n"), 1) if "ghp_" in line)
    (secret,) = subject_of(collect(tmp_path)).facts["secrets"]
    assert secret["pointer"] == "/mcpServers/second/args/3"
    assert secret["line"] == expected


def test_sub_folder_settings_are_named_as_skips(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "CLAUDE.md": "# monorepo\n",
            "packages/api/.claude/settings.json": {"permissions": {"defaultMode": "bypassPermissions"}},
            "agent/.claude/settings.json.tpl": "{",
            "node_modules/x/.claude/settings.json": "{}",
        },
    )
    out = collect(tmp_path)
    assert sorted(s.path for s in out.skips) == ["agent/.claude/settings.json.tpl"]
    assert "sub-folder agent" in out.skips[0].reason
    assert out.errors == []
