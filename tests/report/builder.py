"""A small, fully known organisation for the report tests, built with the real catalogs and evaluator.

Control statuses are computed by ``evaluate_controls`` from the findings below and a handful of
probe -> control links, so the report is checked against what the pipeline would decide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nhi_test_support import CANARIES, FIXED_NOW

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.frameworks.mapping import Link, MappingSet, evaluate_controls
from nhi_evidence.ids import short_id, stable_uuid
from nhi_evidence.model import (
    Assessment,
    Capability,
    Evidence,
    Finding,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Subject,
    Tier,
)
from nhi_evidence.probes.interface import ProbeDefinition

NOW = datetime.fromisoformat(FIXED_NOW.replace("Z", "+00:00")).astimezone(UTC)

#: probe id -> (severity, source, remediation, [(framework, control)])
PROBES: dict[str, tuple[Severity, str, str, list[tuple[str, str]]]] = {
    "secretsNotInConfig": (
        Severity.CRITICAL,
        "repository",
        "Move the secret to the CI secret store and rotate it.",
        [("owasp-nhi-top10-2025", "NHI2"), ("nist-csf-2.0", "PR.DS-01")],
    ),
    "bypassPermissionsDisabled": (
        Severity.HIGH,
        "repository",
        "Remove bypassPermissions from the assistant settings.",
        [("owasp-nhi-top10-2025", "NHI5"), ("owasp-agentic-top10-2026", "ASI03"), ("nist-csf-2.0", "PR.AA-05")],
    ),
    "workflowTokenReadOnly": (
        Severity.MEDIUM,
        "repository",
        "Declare permissions: contents: read at the top of the workflow.",
        [("owasp-agentic-top10-2026", "ASI02"), ("nist-csf-2.0", "PR.AA-05")],
    ),
    "mcpServersPinned": (
        Severity.MEDIUM,
        "repository",
        "Pin every MCP server to a version.",
        [("owasp-nhi-top10-2025", "NHI3"), ("owasp-agentic-top10-2026", "ASI04"), ("nist-csf-2.0", "GV.SC-07")],
    ),
    "identityHasOwner": (
        Severity.LOW,
        "inventory",
        "Record an owner for the identity in the inventory.",
        [("owasp-nhi-top10-2025", "NHI1"), ("nist-csf-2.0", "GV.RR-02")],
    ),
}

KINDS = ("claude-code", "copilot", "ci-workflow", "cursor", "codex")
TIERS = (Tier.RELEASE_ACTOR, Tier.PIPELINE_ACTOR, Tier.REPOSITORY_ACTOR, Tier.LOCAL_ACTOR, Tier.ADVISORY)


def definitions() -> dict[str, ProbeDefinition]:
    return {
        pid: ProbeDefinition(pid, pid, "", "", {"true": "", "false": ""}, sev, rem, ("*",), Tier.ADVISORY, source)
        for pid, (sev, source, rem, _) in PROBES.items()
    }


def build_assessment(
    subjects: int = 6,
    *,
    hostile: dict[str, str] | None = None,
    canaries: bool = False,
    evidence_per_subject: int = 2,
) -> Assessment:
    """A deterministic organisation: subjects across kinds and tiers, findings from five probes.

    hostile: strings planted in collected values (keys: name, message, permissions, path).
    canaries: plant raw canary secrets in facts and messages, as if a collector had missed them.
    """
    hostile = hostile or {}
    frameworks = load_frameworks(())
    subject_list: list[Subject] = []
    evidence: list[Evidence] = []
    findings: list[Finding] = []
    for index in range(subjects):
        repo = f"repo-{index:03d}"
        kind = KINDS[index % len(KINDS)]
        tier = TIERS[index % len(TIERS)]
        sid = stable_uuid("subject", kind, repo)
        path = f"{repo}/.github/workflows/very/long/nested/folder/structure/assistant-{index}-configuration.yml"
        if index == 0 and "path" in hostile:
            path = hostile["path"]
        ev_ids = []
        for n in range(evidence_per_subject):
            eid = short_id("evidence", repo, str(n))
            ev_ids.append(eid)
            evidence.append(
                Evidence(
                    id=eid,
                    collector=kind,
                    source=f"{repo}/config-{n}.json",
                    media_type="application/json",
                    sha256=short_id("sha", eid, length=64),
                    size=512 + n,
                    collected_at=NOW,
                    repository=repo,
                )
            )
        facts: dict[str, Any] = {
            "permissions": {"contents": "write", "pull-requests": "write"}
            if index % 2 == 0
            else ["Read", "Edit", "Bash(npm test)"],
            "secrets": [{"name": "ANTHROPIC_API_KEY", "fingerprint": f"sk-a...{index:08x}"}] if index % 3 == 0 else [],
        }
        if index % 2 == 1:
            facts["owner"] = f"team-{index}@example.com"
        name = f"{kind} in {repo}"
        if index == 0 and "name" in hostile:
            name = hostile["name"]
        if index == 0 and "permissions" in hostile:
            facts["permissions"] = hostile["permissions"]
        if canaries and index == 1:
            facts["permissions"] = f"token {CANARIES['github-token']}"
            facts["secrets"] = [CANARIES["anthropic-api-key"]]
            facts["owner"] = CANARIES["slack-token"]
        subject_list.append(
            Subject(
                id=sid,
                kind=kind,
                name=name,
                path=path,
                repository=repo,
                capability=Capability(tier, (f"{name} is {tier.value} because the evidence says so.",)),
                facts=facts,
                evidence_ids=tuple(ev_ids),
            )
        )
        for p_index, (pid, (sev, source, rem, _)) in enumerate(PROBES.items()):
            if source != "repository":
                continue
            # mcpServersPinned always holds; the others fail on a deterministic pattern.
            failed = pid != "mcpServersPinned" and (index + p_index) % 3 != 0
            message = f"{name} {'fails' if failed else 'passes'} {pid}."
            if index == 0 and "message" in hostile:
                message = hostile["message"]
            if canaries and index == 1:
                message = f"{name} holds {CANARIES['openai-api-key']} in its settings."
            findings.append(
                Finding(
                    id=short_id("finding", pid, sid),
                    probe=pid,
                    outcome=Outcome.FALSE if failed else Outcome.TRUE,
                    severity=sev,
                    message=message,
                    subject=sid,
                    location=Location(path, line=3 + p_index),
                    evidence_ids=tuple(ev_ids),
                    remediation=rem,
                )
            )
    links = tuple(Link(pid, fw, cid, "test link") for pid, (_, _, _, ctl) in PROBES.items() for fw, cid in ctl)
    findings.sort(key=lambda f: f.id)
    results = evaluate_controls(frameworks, MappingSet(links, {}), findings, definitions(), {"repository"})
    repos = tuple(sorted({s.repository for s in subject_list}))
    return Assessment(
        id=stable_uuid("assessment", "report-test", str(subjects)),
        tool_version="0.0.0-test",
        created_at=NOW,
        scope=ScanScope(roots=("acme",), repositories=repos, collectors=tuple(KINDS), sources={"no_git_history": True}),
        subjects=tuple(sorted(subject_list, key=lambda s: s.id)),
        evidence=tuple(sorted(evidence, key=lambda e: e.id)),
        findings=tuple(findings),
        control_results=tuple(results),
        frameworks=tuple(frameworks),
        metadata={"organization": "Acme Corp", "period": "2026-Q4"},
    )
