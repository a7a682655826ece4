"""Generic assistant probes, table-driven over shared facts: they serve every assistant kind alike."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.claude_code import ClaudeCodeCollector
from nhi_evidence.collectors.interface import RepoContext
from nhi_evidence.collectors.mcp import normalise_server
from nhi_evidence.facts import ASSISTANT_KINDS, secret_record
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import Capability, Finding, Outcome, Subject, Tier
from nhi_evidence.probes import ALL_PROBES, assistants
from nhi_evidence.probes.interface import Probe, ProbeContext, run_probes
from nhi_evidence.resources import mappings_dir

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
#: The generic probes written over the shared fact keys; other probes of the family have their own tests.
GENERIC = ("noInlineSecrets", "mcpServersPinned", "remoteMcpServersUseTls")
PROBES = {probe.definition.id: probe for probe in assistants.PROBES if type(probe).id in GENERIC}


def subject(kind: str, facts: dict[str, Any]) -> Subject:
    return Subject(
        id=f"{kind}:test",
        kind=kind,
        name=f"{kind} in acme/api",
        path="acme/api",
        repository="acme/api",
        capability=Capability(Tier.LOCAL_ACTOR, ("test",)),
        facts=facts,
    )


def run(probe: Probe, *subjects: Subject) -> list[Finding]:
    return run_probes([probe], ProbeContext(list(subjects), {}, NOW, {}, frozenset({"repository"})))


def server(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    return normalise_server(name, entry, "acme/api/mcp.json", f"/mcpServers/{name}", 4)


SECRET = secret_record("github-token", "ghp_...0011aabb", "acme/api/.cursor/mcp.json", 7, "/mcpServers/gh/env/T", "T")

CASES: list[tuple[str, str, dict[str, Any], list[Outcome]]] = [
    ("noInlineSecrets", "none", {"secrets": [], "sources": ["a"]}, [Outcome.TRUE]),
    ("noInlineSecrets", "one", {"secrets": [SECRET]}, [Outcome.FALSE]),
    (
        "noInlineSecrets",
        "two",
        {"secrets": [SECRET, {**SECRET, "pointer": "/x", "line": 9}]},
        [Outcome.FALSE, Outcome.FALSE],
    ),
    ("noInlineSecrets", "not-scanned", {}, [Outcome.NOT_AVAILABLE]),
    (
        "mcpServersPinned",
        "npx-unpinned",
        {"mcp_servers": [server("a", {"command": "npx", "args": ["-y", "pkg"]})]},
        [Outcome.FALSE],
    ),
    (
        "mcpServersPinned",
        "npx-latest",
        {"mcp_servers": [server("a", {"command": "npx", "args": ["-y", "@s/pkg@latest"]})]},
        [Outcome.FALSE],
    ),
    (
        "mcpServersPinned",
        "npx-exact",
        {"mcp_servers": [server("a", {"command": "npx", "args": ["-y", "@s/pkg@1.2.3"]})]},
        [Outcome.TRUE],
    ),
    (
        "mcpServersPinned",
        "uvx-unpinned",
        {"mcp_servers": [server("a", {"command": "uvx", "args": ["mcp-server-fetch"]})]},
        [Outcome.FALSE],
    ),
    (
        "mcpServersPinned",
        "uvx-exact",
        {"mcp_servers": [server("a", {"command": "uvx", "args": ["mcp-server-fetch==2025.4.7"]})]},
        [Outcome.TRUE],
    ),
    (
        "mcpServersPinned",
        "docker-tag",
        {"mcp_servers": [server("a", {"command": "docker", "args": ["run", "-i", "ghcr.io/x/y:latest"]})]},
        [Outcome.FALSE],
    ),
    (
        "mcpServersPinned",
        "docker-digest",
        {"mcp_servers": [server("a", {"command": "docker", "args": ["run", "-i", "ghcr.io/x/y@sha256:" + "a" * 64]})]},
        [Outcome.TRUE],
    ),
    (
        "mcpServersPinned",
        "local-only",
        {"mcp_servers": [server("a", {"command": "./bin/server"})]},
        [Outcome.NOT_APPLICABLE],
    ),
    (
        "mcpServersPinned",
        "disabled-unpinned",
        {"mcp_servers": [server("a", {"command": "npx", "args": ["pkg"], "disabled": True})]},
        [Outcome.NOT_APPLICABLE],
    ),
    (
        "mcpServersPinned",
        "mixed",
        {
            "mcp_servers": [
                server("a", {"command": "npx", "args": ["x@1.0.0"]}),
                server("b", {"command": "npx", "args": ["y"]}),
            ]
        },
        [Outcome.TRUE, Outcome.FALSE],
    ),
    ("mcpServersPinned", "not-collected", {}, [Outcome.NOT_AVAILABLE]),
    (
        "remoteMcpServersUseTls",
        "https",
        {"mcp_servers": [server("a", {"type": "http", "url": "https://mcp.example.com/mcp"})]},
        [Outcome.TRUE],
    ),
    (
        "remoteMcpServersUseTls",
        "http-remote",
        {"mcp_servers": [server("a", {"type": "http", "url": "http://mcp.example.com/mcp"})]},
        [Outcome.FALSE],
    ),
    (
        "remoteMcpServersUseTls",
        "http-localhost",
        {"mcp_servers": [server("a", {"type": "sse", "url": "http://localhost:7890/sse"})]},
        [Outcome.TRUE],
    ),
    (
        "remoteMcpServersUseTls",
        "gemini-httpurl",
        {"mcp_servers": [server("a", {"httpUrl": "http://10.0.0.5:8080/mcp"})]},
        [Outcome.FALSE],
    ),
    (
        "remoteMcpServersUseTls",
        "stdio-only",
        {"mcp_servers": [server("a", {"command": "npx", "args": ["x"]})]},
        [Outcome.NOT_APPLICABLE],
    ),
    ("remoteMcpServersUseTls", "not-collected", {}, [Outcome.NOT_AVAILABLE]),
]


@pytest.mark.parametrize("kind", ASSISTANT_KINDS)
@pytest.mark.parametrize(("probe", "case", "facts", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_generic_probe_outcomes(
    kind: str, probe: str, case: str, facts: dict[str, Any], expected: list[Outcome]
) -> None:
    findings = run(PROBES[probe], subject(kind, facts))
    assert sorted(f.outcome for f in findings) == sorted(expected), [f.message for f in findings]
    for finding in findings:
        assert f"{kind} in acme/api" in finding.message
        assert finding.message.endswith(".")
        if finding.outcome is Outcome.FALSE:
            assert finding.location is not None
            assert finding.location.path.startswith("acme/api/")
            assert finding.remediation
            assert not re.search(r"\{[a-z_]+\}", finding.remediation), finding.remediation


def test_probes_ignore_kinds_they_do_not_concern() -> None:
    other = subject("ci-workflow", {"secrets": [SECRET]})
    for probe in PROBES.values():
        assert run(probe, other) == []


def test_inline_secret_finding_shows_fingerprint_only(tmp_path: Path) -> None:
    key = "sk-ant-api03-EXAMPLEfakeKEYforTHEtestONLYnotREAL0000-aaaaBBBB"
    repo = tmp_path / "acme" / "api" / ".claude"
    repo.mkdir(parents=True)
    (repo / "settings.json").write_text(json.dumps({"env": {"ANTHROPIC_API_KEY": key}}, indent=2))
    out = ClaudeCodeCollector().collect(RepoContext(FsRepoView(tmp_path, "acme/api"), fixed_clock(NOW)))
    (finding,) = run(PROBES["noInlineSecrets"], *out.subjects)
    assert finding.outcome is Outcome.FALSE
    assert finding.location is not None
    assert finding.location.line == 3
    assert key not in repr(finding)
    assert key[14:] not in repr(finding)
    assert "sk-a..." in finding.message
    assert "ANTHROPIC_API_KEY" in finding.message


def test_definitions_cover_every_assistant_kind() -> None:
    assert sorted(PROBES) == sorted(GENERIC)
    for probe in PROBES.values():
        assert probe.definition.kinds == ASSISTANT_KINDS
        assert probe.definition.id == type(probe).id


FRAMEWORKS = {"owasp-nhi-top10-2025", "owasp-agentic-top10-2026", "nist-csf-2.0"}


@pytest.mark.parametrize(
    ("links_file", "probes"),
    [
        (
            "claude-code.yaml",
            (
                "bypassPermissionsDisabled",
                "noBlanketShellAllow",
                "secretFilesDenied",
                "auditHooksOrTelemetryConfigured",
                "projectMcpServersNotAutoEnabled",
                "personalSettingsNotCommitted",
            ),
        ),
        ("assistants.yaml", GENERIC),
    ],
)
def test_every_probe_is_linked_to_all_three_frameworks(links_file: str, probes: tuple[str, ...]) -> None:
    document = yaml.safe_load((mappings_dir() / "links" / links_file).read_text(encoding="utf-8"))
    linked: dict[str, set[str]] = {}
    for link in document["links"]:
        for control in link["controls"]:
            assert control["rationale"].strip()
            assert "\n" not in control["rationale"].strip()
            linked.setdefault(link["probe"], set()).add(control["framework"])
    for probe in probes:
        assert linked.get(probe) == FRAMEWORKS, (probe, linked.get(probe))
    assert set(probes) <= {probe.definition.id for probe in ALL_PROBES}
