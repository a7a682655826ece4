"""Report benchmark: render the PDF and HTML report of a generated organisation and print pages and seconds.

    python -m bench.report_bench [--subjects 10000] [--findings 50000] [--out /tmp/report-bench.pdf]

The organisation is synthetic (deterministic pseudo-random subjects, evidence and findings from 24
probes linked to controls of the shipped catalogs; statuses decided by the real evaluator), so the
figures measure the report alone. The report's length must stay driven by its summary design:
pages should barely move between 100 and 10,000 subjects.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.frameworks.mapping import Link, MappingSet, evaluate_controls
from nhi_evidence.ids import short_id, stable_uuid
from nhi_evidence.model import (
    Assessment,
    Capability,
    CollectionError,
    Evidence,
    Finding,
    Location,
    Outcome,
    ScanScope,
    Severity,
    Skip,
    Subject,
    Tier,
)
from nhi_evidence.probes.interface import ProbeDefinition
from nhi_evidence.renderers.interface import RenderOptions

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KINDS = ("claude-code", "copilot", "ci-workflow", "cursor", "codex", "gemini-cli", "aider", "continue")


def synthetic_assessment(subjects: int = 10_000, findings: int = 50_000, seed: int = 7) -> Assessment:
    """A generated organisation of about `subjects` repositories with `findings` probe results."""
    rng = random.Random(seed)
    frameworks = load_frameworks(())
    controls = [(f.id, c.id) for f in frameworks for c in f.controls]
    probes = [f"syntheticProbe{n:02d}Holds" for n in range(24)]
    severities = list(Severity)
    probe_severity = {p: severities[i % len(severities)] for i, p in enumerate(probes)}
    links = tuple(Link(p, fw, cid, "synthetic link") for p in probes for fw, cid in rng.sample(controls, 4))
    definitions = {
        p: ProbeDefinition(p, p, "", "", {}, probe_severity[p], "Fix it.", ("*",), Tier.ADVISORY, "repository")
        for p in probes
    }
    subject_list: list[Subject] = []
    evidence: list[Evidence] = []
    for index in range(subjects):
        repo = f"org-{index // 100:03d}/service-{index:05d}"
        kind = KINDS[index % len(KINDS)]
        tier = rng.choice(list(Tier))
        sid = stable_uuid("subject", kind, repo)
        eids = []
        for n in range(2):
            eid = short_id("ev", repo, str(n))
            eids.append(eid)
            evidence.append(
                Evidence(
                    eid,
                    kind,
                    f"{repo}/.config/assistant-{n}.json",
                    "application/json",
                    short_id(eid, length=64),
                    900,
                    NOW,
                    repository=repo,
                )
            )
        subject_list.append(
            Subject(
                sid,
                kind,
                f"{kind} in {repo}",
                f"{repo}/.github/workflows/assistant.yml",
                repo,
                Capability(tier, (f"The {kind} configuration grants {tier.value} abilities.",)),
                {
                    "permissions": {"contents": "write", "issues": "write"},
                    "secrets": [{"name": "API_KEY", "fingerprint": "sk-a...1a2b3c4d"}],
                },
                tuple(eids),
            )
        )
    finding_list: list[Finding] = []
    for n in range(findings):
        subject = subject_list[n % subjects]
        probe = probes[(n // subjects + n) % len(probes)]
        outcome = Outcome.FALSE if rng.random() < 0.6 else Outcome.TRUE
        finding_list.append(
            Finding(
                short_id("f", str(n)),
                probe,
                outcome,
                probe_severity[probe],
                f"{subject.name} {'does not satisfy' if outcome is Outcome.FALSE else 'satisfies'} {probe} in {subject.path}.",
                subject.id,
                Location(subject.path, line=n % 80 + 1),
                subject.evidence_ids,
                "Set the option in the assistant configuration and commit it.",
            )
        )
    finding_list.sort(key=lambda f: f.id)
    results = evaluate_controls(frameworks, MappingSet(links, {}), finding_list, definitions, {"repository"})
    skips = tuple(
        Skip(f"org-{i:03d}/big.json", "The file is larger than the 4 MiB limit.", "claude-code") for i in range(500)
    )
    errors = tuple(
        CollectionError(f"org-{i:03d}/bad.yml", "The YAML is malformed at line 3.", "gha", 3) for i in range(200)
    )
    return Assessment(
        id=stable_uuid("bench", str(subjects), str(findings)),
        tool_version="bench",
        created_at=NOW,
        scope=ScanScope(("org",), tuple(sorted({s.repository for s in subject_list})), KINDS, {}),
        subjects=tuple(sorted(subject_list, key=lambda s: s.id)),
        evidence=tuple(sorted(evidence, key=lambda e: e.id)),
        findings=tuple(finding_list),
        control_results=tuple(results),
        frameworks=tuple(frameworks),
        skips=skips,
        errors=errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/report-bench.pdf"))
    args = parser.parse_args()
    from nhi_evidence.report.render import html_to_pdf, render_html

    cpu_started = time.process_time()
    started = time.perf_counter()
    assessment = synthetic_assessment(args.subjects, args.findings)
    built = time.perf_counter()
    options = RenderOptions(organization="Example Org", period="2026-Q4")
    html = render_html(assessment, options, mode="pdf")
    templated = time.perf_counter()
    result = html_to_pdf(html, identifier=assessment.id)
    laid_out = time.perf_counter()
    cpu = time.process_time() - cpu_started
    args.out.write_bytes(result.content)
    twin = render_html(assessment, options, mode="html")
    print(
        f"subjects={len(assessment.subjects)} findings={len(assessment.findings)} evidence={len(assessment.evidence)}\n"
        f"generate {built - started:.2f} s | context+templates {templated - built:.2f} s | "
        f"weasyprint layout+write {laid_out - templated:.2f} s | report total {laid_out - built:.2f} s wall "
        f"({cpu:.2f} s CPU including generation; the machine is shared, CPU time is the steadier figure)\n"
        f"PDF: {result.pages} pages, {len(result.content) / 1024:.0f} KiB -> {args.out}; HTML twin: {len(twin) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
