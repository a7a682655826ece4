"""The Gemini CLI collector: flat and nested layouts, trust, sandbox, telemetry, corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.gemini import GeminiCollector


def test_nested_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".gemini/settings.json": (
                '{\n  "general": {"defaultApprovalMode": "yolo"},\n'
                '  "tools": {"allowed": ["run_shell_command"], "exclude": ["write_file"], "sandbox": false},\n'
                '  "mcpServers": {"db": {"command": "npx", "args": ["-y", "db-mcp"], "trust": true,\n'
                '      "env": {"DB_PASSWORD": "' + CANARIES["openai-api-key"] + '"}}},\n'
                '  "telemetry": {"enabled": true, "target": "gcp", "logPrompts": true},\n'
                "}\n"
            ),
            "GEMINI.md": "Be nice.\n",
        },
    )
    out = collect(GeminiCollector, tmp_path)
    facts = only_subject(out).facts
    assert facts["gemini_layout"] == "nested"
    assert facts["approval"]["auto_approve_all"] is True
    assert facts["shell"]["unrestricted"] is True
    assert facts["sandbox"]["enabled"] is False
    assert facts["permissions"]["deny"] == ["write_file"]
    assert facts["mcp_servers"][0]["trusted"] is True
    assert facts["telemetry"]["enabled"] is True
    assert facts["telemetry"]["exporter"] == "gcp"
    assert facts["instructions"] == ["GEMINI.md"]
    assert [s["key"] for s in facts["secrets"]] == ["DB_PASSWORD"]
    assert canary_leaks(rendered(out)) == []


def test_flat_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".gemini/settings.json": {
                "coreTools": ["read_file", "run_shell_command(git)"],
                "excludeTools": ["run_shell_command"],
                "sandbox": "docker",
                "autoAccept": True,
                "mcpServers": {"s": {"httpUrl": "https://x.example/mcp", "headers": {"X-Api-Key": "$KEY"}}},
            }
        },
    )
    facts = only_subject(collect(GeminiCollector, tmp_path)).facts
    assert facts["gemini_layout"] == "flat"
    assert facts["approval"]["auto_approve_all"] is False  # autoAccept approves safe tools only
    assert facts["sandbox"]["enabled"] is True
    assert facts["shell"]["unrestricted"] is False
    assert facts["mcp_servers"][0]["transport"] == "http"
    assert facts["secrets"] == []


def test_unknown_keys_and_nested_copy_under_model_do_not_fail(tmp_path: Path) -> None:
    write(tmp_path, {".gemini/settings.json": {"model": {"tools": {"allowed": ["run_shell_command"]}}, "x": 1}})
    facts = only_subject(collect(GeminiCollector, tmp_path)).facts
    assert facts["shell"]["unrestricted"] is False


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("gemini-settings"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    assert outcome_of(collect(GeminiCollector, place(tmp_path, corpus_file, original))) == "evidence"
