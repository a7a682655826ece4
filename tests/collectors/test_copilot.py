"""The Copilot collector: setup steps job, VS Code MCP servers and inputs, chat settings, instructions."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.copilot import CopilotCollector
from nhi_evidence.model import Tier

SETUP = ".github/workflows/copilot-setup-steps.yml"


def test_setup_steps_with_pat_and_write(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            SETUP: (
                "on: workflow_dispatch\njobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n"
                "    permissions:\n      contents: write\n    env:\n      X: ${{ secrets.OTHER }}\n    steps:\n"
                "      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.BOT_PAT }}\n"
            )
        },
    )
    subject = only_subject(collect(CopilotCollector, tmp_path))
    fact = subject.facts["copilot_setup_steps"]
    assert fact["job_found"] is True
    assert fact["write_permissions"] == ["contents"]
    assert fact["pat_used"] is True
    assert fact["secrets_used"] == ["BOT_PAT", "OTHER"]
    assert fact["ignored_keys"] == ["env"]
    assert subject.capability.tier is Tier.PIPELINE_ACTOR


def test_setup_steps_read_only_with_default_token(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            SETUP: (
                "on: workflow_dispatch\njobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n"
                "    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n"
                "        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n"
            ),
            ".github/copilot-instructions.md": "Be careful.\n",
            ".github/instructions/py.instructions.md": "---\napplyTo: '**/*.py'\n---\nx\n",
        },
    )
    subject = only_subject(collect(CopilotCollector, tmp_path))
    fact = subject.facts["copilot_setup_steps"]
    assert fact["write_permissions"] == []
    assert fact["pat_used"] is False
    assert subject.capability.tier is Tier.REPOSITORY_ACTOR
    assert subject.facts["instructions"] == [
        ".github/copilot-instructions.md",
        ".github/instructions/py.instructions.md",
    ]


def test_misnamed_job_is_recorded_as_not_found(tmp_path: Path) -> None:
    write(tmp_path, {SETUP: "on: push\njobs:\n  setup:\n    runs-on: ubuntu-latest\n    steps: []\n"})
    assert only_subject(collect(CopilotCollector, tmp_path)).facts["copilot_setup_steps"]["job_found"] is False


def test_vscode_mcp_servers_inputs_and_chat_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".vscode/mcp.json": (
                '{"inputs": [{"id": "tok", "type": "promptString", "password": true}],\n'
                ' "servers": {"gh": {"command": "docker", "args": ["run", "-i", "ghcr.io/github/github-mcp-server"],\n'
                '   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${input:tok}"}},\n'
                '  "leak": {"command": "node", "args": ["s.js"], "env": {"API_TOKEN": "'
                + CANARIES["slack-token"]
                + '"}},\n'
                " },\n}\n"
            ),
            ".vscode/settings.json": '{\n  // on\n  "chat.tools.autoApprove": true,\n  "editor.tabSize": 2\n}\n',
        },
    )
    out = collect(CopilotCollector, tmp_path)
    facts = only_subject(out).facts
    assert facts["vscode_inputs"] == [{"id": "tok", "type": "promptString", "password": True}]
    assert sorted(s["name"] for s in facts["mcp_servers"]) == ["gh", "leak"]
    assert [s["key"] for s in facts["secrets"]] == ["API_TOKEN"]
    assert facts["approval"]["auto_approve_all"] is True
    assert facts["shell"]["unrestricted"] is True
    assert canary_leaks(rendered(out)) == []


def test_settings_without_chat_keys_are_not_copilot_evidence(tmp_path: Path) -> None:
    write(tmp_path, {".vscode/settings.json": '{"editor.tabSize": 2}'})
    out = collect(CopilotCollector, tmp_path)
    assert out.subjects == []
    assert out.evidence == []


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("copilot-setup-steps", "vscode-mcp"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    assert outcome_of(collect(CopilotCollector, place(tmp_path, corpus_file, original))) == "evidence"
