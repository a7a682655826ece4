"""The Continue collector: model keys, MCP server list and blocks, data destinations, corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from assistant_support import collect, corpus_files, only_subject, outcome_of, place, rendered, write
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors.continue_dev import ContinueCollector


def test_models_servers_and_blocks(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".continue/config.yaml": (
                "name: a\nversion: 1.0.0\nschema: v1\nmodels:\n"
                f"  - name: A\n    provider: openai\n    apiKey: {CANARIES['openai-api-key']}\n"
                "  - name: B\n    provider: anthropic\n    apiKey: ${{ secrets.ANTHROPIC_KEY }}\n"
                "mcpServers:\n  - name: fs\n    command: npx\n    args: [-y, '@modelcontextprotocol/server-filesystem@2025.1.1']\n"
                "data:\n  - destination: https://collector.example/events\n"
            ),
            ".continue/mcpServers/db.yaml": "name: db\nmcpServers:\n  - name: db\n    command: uvx\n    args: [db-mcp]\n",
            ".continue/rules/r.md": "rule\n",
        },
    )
    out = collect(ContinueCollector, tmp_path)
    facts = only_subject(out).facts
    assert [m["api_key"] for m in facts["continue_models"]] == ["literal", "reference"]
    assert sorted((s["name"], s["pinned"]) for s in facts["mcp_servers"]) == [("db", False), ("fs", True)]
    assert facts["continue_data_destinations"] == [{"destination": "https://collector.example/events", "remote": True}]
    assert facts["instructions"] == [".continue/rules/"]
    assert [s["detector"] for s in facts["secrets"]] == ["openai-api-key"]
    assert canary_leaks(rendered(out)) == []


@pytest.mark.parametrize(("corpus_file", "original"), corpus_files("continue-config"))
def test_corpus_file_is_collected(tmp_path: Path, corpus_file: str, original: str) -> None:
    assert outcome_of(collect(ContinueCollector, place(tmp_path, corpus_file, original))) == "evidence"
