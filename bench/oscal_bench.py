"""OSCAL benchmark: build, serialise and validate an assessment-results with N observations.

``python -m bench.oscal_bench [N]`` (default 100,000). The assessment is synthetic: N/2 evidence
records (one EXAMINE observation each) and N/2 probe findings (one TEST observation each) over N/50
subjects, with a control result for every control of the shipped frameworks. Prints seconds per
stage, microseconds per observation and peak resident memory; a run at N/10 first shows whether the
cost stays linear (the per-observation figure should not grow with N).
"""

from __future__ import annotations

import gc
import hashlib
import sys
import time
from datetime import UTC, datetime

from bench.measure import peak_rss_mb
from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.ids import short_id, stable_uuid
from nhi_evidence.model import (
    Assessment,
    Capability,
    ControlResult,
    ControlStatus,
    Evidence,
    Finding,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Subject,
    Tier,
)
from nhi_evidence.oscal import assessment_results, validate
from nhi_evidence.oscal.common import dumps

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
PROBES = ("bypassPermissionsDisabled", "workflowPermissionsMinimal", "secretsNotInConfig", "mcpServersPinned")


def synthetic_assessment(observations: int) -> Assessment:
    """An assessment whose OSCAL assessment-results has ``observations`` observations."""
    n_evidence = observations // 2
    n_findings = observations - n_evidence
    n_subjects = max(1, observations // 50)
    evidence = [
        Evidence(
            id=short_id("evidence", str(i)),
            collector="claude",
            source=f"org/repo{i // 5}/.claude/settings-{i % 5}.json",
            media_type="application/json",
            sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            size=512,
            collected_at=NOW,
            repository=f"org/repo{i // 5}",
        )
        for i in range(n_evidence)
    ]
    per_subject = max(1, n_evidence // n_subjects)
    subjects = [
        Subject(
            id=short_id("subject", str(s)),
            kind="claude-code",
            name=f"Claude Code in org/repo{s}",
            path=f"org/repo{s}/.claude",
            repository=f"org/repo{s}",
            capability=Capability(Tier.LOCAL_ACTOR, ("Runs shell commands (Bash allowed).",)),
            evidence_ids=tuple(e.id for e in evidence[s * per_subject : (s + 1) * per_subject]),
        )
        for s in range(n_subjects)
    ]
    findings = []
    for i in range(n_findings):
        subject = subjects[i % n_subjects]
        outcome = Outcome.FALSE if i % 7 == 0 else Outcome.TRUE
        findings.append(
            Finding(
                id=short_id("finding", str(i)),
                probe=PROBES[i % len(PROBES)],
                outcome=outcome,
                severity=Severity.HIGH,
                message=f"{subject.name}: check {i} is {outcome.value}.",
                subject=subject.id,
                location=Location(subject.path + "/settings.json", 3),
                evidence_ids=subject.evidence_ids[:1],
                remediation="Restrict the permission." if outcome is Outcome.FALSE else "",
            )
        )
    frameworks = load_frameworks()
    failed = tuple(f.id for f in findings if f.outcome is Outcome.FALSE)
    passed = tuple(f.id for f in findings if f.outcome is Outcome.TRUE)
    results = []
    for framework in frameworks:
        for position, control in enumerate(framework.controls):
            if position % 3 == 0:
                results.append(
                    ControlResult(framework.id, control.id, ControlStatus.NOT_SATISFIED, "failed", failed[:50], PROBES)
                )
            elif position % 3 == 1:
                results.append(
                    ControlResult(framework.id, control.id, ControlStatus.SATISFIED, "passed", passed[:50], PROBES)
                )
            else:
                results.append(ControlResult(framework.id, control.id, ControlStatus.NOT_ASSESSED, "no probe", (), ()))
    return Assessment(
        id=stable_uuid("bench", str(observations)),
        tool_version="bench",
        created_at=NOW,
        scope=ScanScope(roots=("org",), repositories=(), collectors=("claude",)),
        subjects=tuple(subjects),
        evidence=tuple(sorted(evidence, key=lambda e: e.id)),
        findings=tuple(sorted(findings, key=lambda f: f.id)),
        control_results=tuple(results),
        frameworks=tuple(frameworks),
    )


def run(n: int) -> dict[str, float]:
    """Build, serialise and validate (OSCAL 1.2.1 schema) an assessment-results with n observations; print figures."""
    assessment = synthetic_assessment(n)
    gc.collect()
    timings: dict[str, float] = {}
    cpu_start = time.process_time()
    start = time.perf_counter()
    document = assessment_results.build(assessment, "1.2.1")
    timings["build"] = time.perf_counter() - start
    start = time.perf_counter()
    data = dumps(document)
    timings["serialise"] = time.perf_counter() - start
    start = time.perf_counter()
    validate.check(document, "1.2.1")
    timings["validate"] = time.perf_counter() - start
    # Wall time depends on other load of the machine; CPU time shows the cost itself.
    timings["cpu"] = time.process_time() - cpu_start
    count = len(document["assessment-results"]["results"][0]["observations"])
    total = timings["build"] + timings["serialise"] + timings["validate"]
    print(
        f"oscal assessment-results: {count} observations, {len(data) / 1e6:.1f} MB;"
        f" build {timings['build']:.2f} s, serialise {timings['serialise']:.2f} s,"
        f" validate {timings['validate']:.2f} s; total {total:.2f} s wall, {timings['cpu']:.2f} s CPU"
        f" ({timings['cpu'] / count * 1e6:.1f} us CPU/observation); peak RSS {peak_rss_mb():.0f} MiB",
        flush=True,
    )
    return {**timings, "observations": float(count), "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str]) -> int:
    """Run at N/10 then N (default 100,000) to show the cost per observation stays flat."""
    n = int(argv[0]) if argv else 100_000
    small = run(max(10, n // 10))
    large = run(n)
    per_small = small["cpu"] / small["observations"]
    per_large = large["cpu"] / large["observations"]
    print(f"CPU cost per observation at N vs N/10: x{per_large / per_small:.2f} (about 1 means linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
