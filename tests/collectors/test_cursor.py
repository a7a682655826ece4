"""The Cursor collector: MCP servers, CLI permissions, allowlists, rules, corpus robustness, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.cursor import CursorCollector
from nhi_evidence.model import Tier


def test_mcp_servers_and_inline_secret_in_args(tmp_path: Path) -> None:
    token = CANARIES["github-token"]
    write(
        tmp_path,
        {
            ".cursor/mcp.json": (
                '{\n  // comment\n  "mcpServers": {\n    "gh": {"command": "npx", "args": ["-y", '
                '"@modelcontextprotocol/server-github", "--token", "' + token + '"],},\n'
                '    "remote": {"url": "http://mcp.example.org/sse", "headers": {"Authorization": "Bearer ${env:TOK}"}}\n  }\n}\n'
            )
        },
    )
    out = collect(CursorCollector, tmp_path)
    subject = only_subject(out)
    assert subject.kind == "cursor"
    servers = {s["name"]: s for s in subject.facts["mcp_servers"]}
    assert servers["gh"]["pinned"] is False
    assert servers["gh"]["launcher"] == "npx"
    assert servers["remote"]["insecure_http"] is True
    assert servers["remote"]["header_keys"] == ["Authorization"]
    assert [s["detector"] for s in subject.facts["secrets"]] == ["github-token"]
    assert subject.facts["secrets"][0]["path"] == ".cursor/mcp.json"
    assert canary_leaks(rendered(out)) == []


def test_cli_permissions_blanket_rules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".cursor/cli.json": {
                "permissions": {"allow": ["Shell(**)", "Write(**)", "Mcp(*:*)", "WebFetch(*)"], "deny": []}
            }
        },
    )
    facts = only_subject(collect(CursorCollector, tmp_path)).facts
    assert facts["shell"]["unrestricted"] is True
    assert facts["network"]["unrestricted"] is True
    assert facts["approval"]["auto_approve_all"] is True
    assert facts["secret_files_denied"]["denied"] is False


def test_cli_permissions_scoped_rules_and_deny(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".cursor/cli.json": {
                "permissions": {
                    "allow": ["Shell(npm test)", "Read(src/**)"],
                    "deny": ["Read(**/.env*)", "Read(**/*.pem)"],
                }
            },
            ".cursor/rules/a.mdc": "---\nalwaysApply: true\n---\nBe careful.\n",
        },
    )
    subject = only_subject(collect(CursorCollector, tmp_path))
    assert subject.facts["shell"]["unrestricted"] is False
    assert subject.facts["approval"]["auto_approve_all"] is False
    denial = subject.facts["secret_files_denied"]
    assert denial["denied"] is True
    assert denial["missing"] == []
    assert subject.facts["instructions"] == [".cursor/rules/"]
    assert subject.capability.tier is Tier.LOCAL_ACTOR


def test_a_denied_shell_blanket_is_not_unrestricted(tmp_path: Path) -> None:
    write(tmp_path, {".cursor/cli.json": {"permissions": {"allow": ["Shell(**)"], "deny": ["Shell(*)"]}}})
    assert only_subject(collect(CursorCollector, tmp_path)).facts["shell"]["unrestricted"] is False


def test_global_cli_config_approval_mode_in_user_scope(tmp_path: Path) -> None:
    write(
        tmp_path,
        {".cursor/cli-config.json": {"approvalMode": "unrestricted", "permissions": {"allow": [], "deny": []}}},
    )
    subject = only_subject(collect(CursorCollector, tmp_path, _scope="user"))
    assert subject.facts["scope"] == "user"
    assert subject.facts["approval"]["mode"] == "unrestricted"
    assert subject.facts["approval"]["auto_approve_all"] is True


def test_rules_alone_make_an_advisory_subject_and_agents_md_alone_does_not(tmp_path: Path) -> None:
    write(tmp_path / "a", {".cursorrules": "Use tabs.\n"})
    subject = only_subject(collect(CursorCollector, tmp_path / "a"))
    assert subject.capability.tier is Tier.ADVISORY
    write(tmp_path / "b", {"AGENTS.md": "# Agents\n"})
    assert collect(CursorCollector, tmp_path / "b").subjects == []


def test_malformed_file_is_an_error_naming_it_without_content(tmp_path: Path) -> None:
    write(tmp_path, {".cursor/mcp.json": '{"mcpServers": {"x": "' + CANARIES["openai-api-key"] + '"'})
    out = collect(CursorCollector, tmp_path)
    assert out.subjects == []
    assert len(out.errors) == 1
    assert ".cursor/mcp.json" in out.errors[0].message
    assert canary_leaks(rendered(out)) == []


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("cursor-mcp", "cursor-cli"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    out = collect(CursorCollector, place(tmp_path, corpus_file, original))
    assert outcome_of(out) == "evidence", [e.message for e in out.errors]
    assert all(e.path == original for e in out.errors)
