"""The human summary printed on the terminal by ``scan`` (the default format)."""

from __future__ import annotations

from collections import Counter

import click

from nhi_evidence.model import Assessment, Severity
from nhi_evidence.renderers.interface import Renderer, RenderOptions
from nhi_evidence.summary import failed_findings, framework_summaries, severity_counts
from nhi_evidence.textsafe import printable

#: How many failed findings the summary lists before pointing to the full outputs.
TOP_FINDINGS = 25

_SEVERITY_COLOURS = {
    Severity.CRITICAL: "magenta",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "white",
}


class TextRenderer(Renderer):
    """A compact terminal summary: scope, identities by tier, control coverage, top findings."""

    name = "text"
    fixed_cost = 0.1
    cost_per_finding = 3e-6
    extension = "txt"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        def style(text: str, **kw: object) -> str:
            return click.style(text, **kw) if options.color else text  # type: ignore[arg-type]

        lines: list[str] = []
        scope = assessment.scope
        lines.append(style("nhi-evidence assessment", bold=True) + f" {assessment.id}")
        lines.append(
            f"Scanned {len(scope.repositories)} repositor{'y' if len(scope.repositories) == 1 else 'ies'} "
            f"under {', '.join(printable(r) for r in scope.roots) or '(no path)'}; "
            f"{len(assessment.evidence)} evidence file(s), {len(assessment.skips)} skipped, {len(assessment.errors)} error(s)."
        )
        tiers = Counter(s.capability.tier.value for s in assessment.subjects)
        kinds = Counter(s.kind for s in assessment.subjects)
        lines.append("")
        lines.append(style("Identities", bold=True) + f" ({len(assessment.subjects)})")
        if assessment.subjects:
            lines.append("  by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            lines.append("  by tier: " + ", ".join(f"{k} {n}" for k, n in sorted(tiers.items())))
        lines.append("")
        lines.append(style("Controls", bold=True))
        lines.append(f"  {'framework':<28} {'satisfied':>9} {'not-sat.':>9} {'not-ass.':>9} {'n/a':>5} {'coverage':>9}")
        for summary in framework_summaries(assessment):
            lines.append(
                f"  {summary.framework:<28} {summary.satisfied:>9} {summary.not_satisfied:>9} "
                f"{summary.not_assessed:>9} {summary.not_applicable:>5} {summary.coverage:>8.0%}"
            )
        counts = severity_counts(assessment)
        failed = failed_findings(assessment)
        lines.append("")
        lines.append(
            style("Findings", bold=True)
            + f" ({len(failed)} failed: "
            + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
            + ")"
            if failed
            else style("Findings", bold=True) + " (no failed checks)"
        )
        for finding in failed[:TOP_FINDINGS]:
            tag = style(f"[{finding.severity.value}]", fg=_SEVERITY_COLOURS[finding.severity])
            where = ""
            if finding.location:
                where = f" ({printable(finding.location.path)}{':' + str(finding.location.line) if finding.location.line else ''})"
            lines.append(f"  {tag} {finding.probe}: {printable(finding.message)}{where}")
            # Risk acceptance (acceptance.py): accepted findings stay listed, marked, with the justification.
            record = finding.values.get("acceptance")
            if isinstance(record, dict):
                state = "accepted" if record.get("status") == "accepted" else "acceptance expired, counts again"
                lines.append(
                    f"      {state}: {printable(str(record.get('justification', '')))} "
                    f"(approved by {printable(str(record.get('approved_by', '')))}, expires {record.get('expires', '')})"
                )
        if len(failed) > TOP_FINDINGS:
            lines.append(f"  ... and {len(failed) - TOP_FINDINGS} more (use --format json, html or pdf for all).")
        if assessment.errors:
            lines.append("")
            lines.append(style("Collection errors", bold=True) + f" ({len(assessment.errors)})")
            for error in assessment.errors[:10]:
                lines.append(f"  {printable(error.message)}")
            if len(assessment.errors) > 10:
                lines.append(f"  ... and {len(assessment.errors) - 10} more.")
        return ("\n".join(lines) + "\n").encode("utf-8")
