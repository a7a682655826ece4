"""The Codex collector: approval policy, sandbox, profiles, MCP servers, environment policy, corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.codex import CodexCollector
from nhi_evidence.model import Tier

DANGER = """\
approval_policy = "never"
sandbox_mode = "danger-full-access"

[mcp_servers."my.server"]
command = "uvx"
args = ['mcp-server-git']
env = {{ GITHUB_TOKEN = "{}", PORT = 8080 }}

[[hooks.PreToolUse]]
matcher = "shell"
[[hooks.PreToolUse.hooks]]
type = "command"
command = "./audit.sh"

[projects."/home/someone"]
trust_level = "trusted"
""".format(CANARIES["github-token"])


def test_never_and_full_access(tmp_path: Path) -> None:
    write(tmp_path, {".codex/config.toml": DANGER, "AGENTS.md": "# a\n"})
    out = collect(CodexCollector, tmp_path)
    subject = only_subject(out)
    facts = subject.facts
    assert facts["approval"]["mode"] == "never"
    assert facts["approval"]["auto_approve_all"] is True
    assert facts["sandbox"]["enabled"] is False
    assert facts["network"]["unrestricted"] is True
    assert facts["shell"]["unrestricted"] is True
    assert facts["mcp_servers"][0]["name"] == "my.server"
    assert facts["mcp_servers"][0]["pin"] == "none"
    assert facts["hooks"][0]["event"] == "PreToolUse"
    assert facts["hooks"][0]["command"] == "./audit.sh"
    assert facts["codex_trusted_projects"] == 1
    assert facts["instructions"] == ["AGENTS.md"]
    assert [s["detector"] for s in facts["secrets"]] == ["github-token"]
    assert subject.capability.tier.rank >= Tier.LOCAL_ACTOR.rank
    assert any("danger-full-access" in r for r in subject.capability.reasons)
    assert canary_leaks(rendered(out)) == []


def test_workspace_write_network_and_active_profile(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".codex/config.toml": (
                'approval_policy = "on-request"\nsandbox_mode = "workspace-write"\nprofile = "fast"\n'
                "[sandbox_workspace_write]\nnetwork_access = false\n"
                '[profiles.fast]\napproval_policy = "never"\n'
                '[shell_environment_policy]\ninherit = "all"\nset = { A = "1" }\n'
            )
        },
    )
    facts = only_subject(collect(CodexCollector, tmp_path)).facts
    assert facts["codex_active_profile"] == "fast"
    assert facts["approval"]["mode"] == "never"  # the active profile wins over the root value
    assert facts["sandbox"] == facts["sandbox"] | {"enabled": True, "mode": "workspace-write", "network": False}
    assert facts["shell"]["unrestricted"] is False
    assert facts["shell_environment_policy"]["inherit"] == "all"
    assert facts["shell_environment_policy"]["set_keys"] == ["A"]


def test_default_permissions_and_unset_values(tmp_path: Path) -> None:
    write(tmp_path, {".codex/config.toml": 'default_permissions = ":read-only"\n'})
    facts = only_subject(collect(CodexCollector, tmp_path)).facts
    assert facts["sandbox"]["mode"] == "read-only"
    assert facts["network"]["unrestricted"] is False
    assert facts["approval"]["auto_approve_all"] is None


def test_bearer_token_env_var_is_a_variable_name_not_a_secret(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".codex/config.toml": '[mcp_servers.gh]\nurl = "https://x.example/mcp"\nbearer_token_env_var = "GITHUB_PAT_TOKEN"\n'
        },
    )
    facts = only_subject(collect(CodexCollector, tmp_path)).facts
    assert facts["secrets"] == []
    assert facts["mcp_servers"][0]["header_keys"] == ["Authorization"]


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {".codex/config.toml": 'model = "x"\nmodel = "y"\n'})
    out = collect(CodexCollector, tmp_path)
    assert out.subjects == []
    assert ".codex/config.toml" in out.errors[0].message


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("codex-config"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    assert outcome_of(collect(CodexCollector, place(tmp_path, corpus_file, original))) == "evidence"
