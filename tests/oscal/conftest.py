"""A small builder of Assessment objects for the OSCAL tests.

It builds what the pipeline would: subjects with capability tiers, evidence records, probe findings of
every outcome, and a control result for every control of the three shipped frameworks, with every
status represented (satisfied, not-satisfied, not-assessed, not-applicable, and an accepted risk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.ids import short_id, stable_uuid
from nhi_evidence.model import (
    Assessment,
    Capability,
    CollectionError,
    ControlResult,
    ControlStatus,
    Evidence,
    Finding,
    Framework,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Skip,
    Subject,
    Tier,
)
from tests.conftest import CANARIES

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class AssessmentBuilder:
    """Accumulates subjects, evidence and findings, then derives control results."""

    now: datetime = NOW
    subjects: list[Subject] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add_evidence(self, source: str, collector: str = "claude", repository: str = "acme/api") -> Evidence:
        """An evidence record whose sha256 is that of its path (stable, distinct)."""
        evidence = Evidence(
            id=short_id("evidence", source),
            collector=collector,
            source=source,
            media_type="application/json",
            sha256=hashlib.sha256(source.encode()).hexdigest(),
            size=len(source) * 10,
            collected_at=self.now,
            data={"redacted": True},
            repository=repository,
        )
        self.evidence.append(evidence)
        return evidence

    def add_subject(self, kind: str, name: str, path: str, tier: Tier, *evidence: Evidence) -> Subject:
        """A subject built from the given evidence."""
        subject = Subject(
            id=short_id("subject", kind, path),
            kind=kind,
            name=name,
            path=path,
            repository=path.split("/.")[0] if "/." in path else "acme/api",
            capability=Capability(tier, (f"{name} can act at tier {tier.value} (seen in {path}).",)),
            evidence_ids=tuple(e.id for e in evidence),
        )
        self.subjects.append(subject)
        return subject

    def add_finding(
        self, probe: str, subject: Subject, outcome: Outcome, severity: Severity = Severity.HIGH
    ) -> Finding:
        """A probe finding on a subject, citing the subject's evidence."""
        finding = Finding(
            id=short_id("finding", probe, subject.id),
            probe=probe,
            outcome=outcome,
            severity=severity,
            message=f"{subject.name}: {probe} is {outcome.value}.",
            subject=subject.id,
            location=Location(subject.path, 3, "/permissions/allow"),
            evidence_ids=subject.evidence_ids,
            remediation=f"Fix {probe} in {subject.path}." if outcome is Outcome.FALSE else "",
        )
        self.findings.append(finding)
        return finding

    def build(
        self, frameworks: list[Framework], decide: Callable[[Framework, int], tuple[ControlStatus, tuple[str, ...]]]
    ) -> Assessment:
        """The assessment; ``decide`` gives each control (by framework and position) its status and findings."""
        results: list[ControlResult] = []
        for framework in frameworks:
            for position, control in enumerate(framework.controls):
                status, finding_ids = decide(framework, position)
                probes = tuple(sorted({f.probe for f in self.findings if f.id in finding_ids}))
                reason = {
                    ControlStatus.SATISFIED: "2 passed check(s) from 1 probe(s).",
                    ControlStatus.NOT_SATISFIED: "1 failed check(s) on 1 subject(s).",
                    ControlStatus.NOT_ASSESSED: "No probe of this tool evidences this control; assess it by other means.",
                    ControlStatus.NOT_APPLICABLE: "No subject's capability tier can be concerned by the linked probes.",
                }[status]
                results.append(ControlResult(framework.id, control.id, status, reason, finding_ids, probes))
        return Assessment(
            id=stable_uuid("assessment", "fixture"),
            tool_version="0.1.0",
            created_at=self.now,
            scope=ScanScope(roots=("org",), repositories=("acme/api", "acme/web"), collectors=("claude", "gha")),
            subjects=tuple(sorted(self.subjects, key=lambda s: s.id)),
            evidence=tuple(sorted(self.evidence, key=lambda e: e.id)),
            findings=tuple(sorted(self.findings, key=lambda f: f.id)),
            control_results=tuple(results),
            frameworks=tuple(frameworks),
            skips=(Skip("acme/web/.cursor/mcp.json", "The file is a symbolic link leaving the repository."),),
            errors=(CollectionError("acme/web/.claude/settings.json", "Invalid JSON at line 4.", "claude", 4),),
            metadata={"organization": "Acme Corp", "period": "2026-Q4"},
        )


def sample_assessment(frameworks: list[Framework] | None = None) -> Assessment:
    """An assessment over the shipped frameworks with every status and outcome represented."""
    frameworks = frameworks if frameworks is not None else load_frameworks()
    b = AssessmentBuilder()
    settings = b.add_evidence("acme/api/.claude/settings.json")
    workflow = b.add_evidence("acme/api/.github/workflows/claude review.yml", collector="gha")
    mcp = b.add_evidence("acme/web/.mcp.json", collector="mcp", repository="acme/web")
    claude = b.add_subject("claude-code", "Claude Code in acme/api", "acme/api/.claude", Tier.LOCAL_ACTOR, settings)
    ci = b.add_subject(
        "ci-workflow", "claude-code-action in acme/api", "acme/api/.github", Tier.PIPELINE_ACTOR, workflow, settings
    )
    cursor = b.add_subject("cursor", "Cursor in acme/web", "acme/web/.cursor", Tier.ADVISORY, mcp)
    passed = b.add_finding("bypassPermissionsDisabled", claude, Outcome.TRUE)
    failed = b.add_finding("workflowPermissionsMinimal", ci, Outcome.FALSE, Severity.CRITICAL)
    accepted = b.add_finding("secretsNotInConfig", cursor, Outcome.FALSE, Severity.MEDIUM)
    b.add_finding("mcpServersPinned", cursor, Outcome.NOT_APPLICABLE)
    b.add_finding("auditLogsRetained", ci, Outcome.NOT_AVAILABLE)

    def decide(framework: Framework, position: int) -> tuple[ControlStatus, tuple[str, ...]]:
        match position % 5:
            case 0:
                return ControlStatus.SATISFIED, (passed.id,)
            case 1:
                return ControlStatus.NOT_SATISFIED, (failed.id,)
            case 2:
                return ControlStatus.NOT_ASSESSED, ()
            case 3:
                return ControlStatus.NOT_APPLICABLE, ()
            case _:
                return ControlStatus.SATISFIED, (passed.id, accepted.id)

    return b.build(frameworks, decide)


@pytest.fixture
def assessment() -> Assessment:
    """The sample assessment over the three shipped frameworks."""
    return sample_assessment()


@pytest.fixture
def make_assessment() -> Callable[[list[Framework] | None], Assessment]:
    """The sample assessment builder, for tests that choose the frameworks."""
    return sample_assessment


#: A Claude Code configuration and a CI workflow running claude-code-action, with a planted canary.
SETTINGS = """{
  // JSONC comments are allowed by Claude Code
  "permissions": {"allow": ["Bash(*)"], "defaultMode": "bypassPermissions"},
  "env": {"ANTHROPIC_API_KEY": "%s"}
}
"""
WORKFLOW = """name: claude
on: [issue_comment]
permissions: write-all
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}
          github_token: %s
"""


@pytest.fixture
def scan_repo(tmp_path: Path) -> Path:
    """A repository with a Claude Code settings file and a claude-code-action workflow, canaries planted."""
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".claude" / "settings.json").write_text(SETTINGS % CANARIES["anthropic-api-key"], encoding="utf-8")
    (repo / ".github" / "workflows" / "claude review.yml").write_text(
        WORKFLOW % CANARIES["github-token"], encoding="utf-8"
    )
    return repo
