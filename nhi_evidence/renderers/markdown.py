"""``--format markdown``: a compact summary for pull-request comments and CI job summaries.

Written for GitHub Flavored Markdown (https://github.github.com/gfm/): a headline, a control-coverage
table per framework, the failed checks (most severe first, capped so a comment stays under GitHub's
65,536-character limit), accepted risks with their justification, and the limitations (suppressed
probes, expired acceptances, collection errors). Append it to ``$GITHUB_STEP_SUMMARY`` in a workflow.

Everything that came from scanned content is escaped: table pipes, HTML, link and emphasis syntax,
and ``@`` (so a file name cannot mention a user or team in a comment).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nhi_evidence.model import Assessment, ControlStatus, Finding, Outcome
from nhi_evidence.renderers.interface import Renderer, RenderOptions
from nhi_evidence.summary import failed_findings, framework_summaries, is_accepted, severity_counts
from nhi_evidence.textsafe import printable

#: Failed checks listed before pointing to the full outputs.
MAX_ROWS = 50

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """Escape untrusted text for a Markdown table cell or paragraph (inline syntax, HTML, pipes, mentions)."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def _where(finding: Finding) -> str:
    if not finding.location:
        return ""
    line = f":{finding.location.line}" if finding.location.line else ""
    # Escaped text rather than a code span: a pipe in a code span still ends a table cell in GFM.
    return md(finding.location.path + line)


def _acceptance(finding: Finding) -> Mapping[str, str]:
    record = finding.values.get("acceptance")
    return record if isinstance(record, Mapping) else {}


class MarkdownRenderer(Renderer):
    """A GitHub-flavoured Markdown summary."""

    name = "markdown"
    fixed_cost = 0.1
    cost_per_finding = 6.5e-6
    extension = "md"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        failed = failed_findings(assessment)
        open_findings = [f for f in failed if not is_accepted(f)]
        accepted = [f for f in failed if is_accepted(f)]
        lines: list[str] = []
        # Severity counts of the checks that still count (accepted ones are listed apart).
        counts = {s: sum(1 for f in open_findings if f.severity is s) for s in severity_counts(assessment)}
        headline = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        title = "## nhi-evidence: "
        if open_findings:
            title += f"{len(open_findings)} failed check{'s' if len(open_findings) != 1 else ''}"
        else:
            title += "no failed checks"
        if accepted:
            title += f", {len(accepted)} accepted"
        lines.append(title)
        lines.append("")
        who = f" for {md(options.organization)}" if options.organization else ""
        period = f" ({md(options.period)})" if options.period else ""
        repos = len(assessment.scope.repositories)
        lines.append(
            f"Assessment{who}{period}: {repos} repositor{'y' if repos == 1 else 'ies'}, "
            f"{len(assessment.subjects)} identit{'y' if len(assessment.subjects) == 1 else 'ies'}, "
            f"{len(assessment.evidence)} evidence file(s)"
            + (f"; failed checks by severity: {headline}" if headline else "")
            + "."
        )
        lines.append("")
        lines.append("| Framework | Satisfied | Not satisfied | Not assessed | N/A | Coverage |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for summary in framework_summaries(assessment):
            lines.append(
                f"| {md(summary.title)} (`{summary.framework}`) | {summary.satisfied} | {summary.not_satisfied} "
                f"| {summary.not_assessed} | {summary.not_applicable} | {summary.coverage:.0%} |"
            )
        failing = [
            (
                framework.id,
                [
                    r.control_id
                    for r in assessment.control_results
                    if r.framework == framework.id and r.status is ControlStatus.NOT_SATISFIED
                ],
            )
            for framework in assessment.frameworks
        ]
        if any(ids for _, ids in failing):
            lines += ["", "Controls not satisfied:", ""]
            lines += [f"- `{framework_id}`: " + ", ".join(md(i) for i in ids) for framework_id, ids in failing if ids]
        if open_findings:
            lines += [
                "",
                "### Failed checks",
                "",
                "| Severity | Probe | Where | Finding |",
                "| --- | --- | --- | --- |",
            ]
            for finding in open_findings[:MAX_ROWS]:
                note = _acceptance(finding).get("note", "")
                message = md(finding.message) + (f" *{md(note)}*" if note else "")
                lines.append(f"| {finding.severity.value} | `{finding.probe}` | {_where(finding)} | {message} |")
            if len(open_findings) > MAX_ROWS:
                lines.append("")
                lines.append(f"…and {len(open_findings) - MAX_ROWS} more; see the JSON, SARIF or PDF output.")
        if accepted:
            lines += [
                "",
                "### Accepted risks",
                "",
                "| Severity | Probe | Where | Justification | Approved by | Expires |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for finding in accepted[:MAX_ROWS]:
                record = _acceptance(finding)
                lines.append(
                    f"| {finding.severity.value} | `{finding.probe}` | {_where(finding)} "
                    f"| {md(str(record.get('justification', '')))} | {md(str(record.get('approved_by', '')))} "
                    f"| {md(str(record.get('expires', '')))} |"
                )
        limitations = self._limitations(assessment)
        if limitations:
            lines += ["", "### Limitations", ""]
            lines += [f"- {item}" for item in limitations]
        return ("\n".join(lines) + "\n").encode("utf-8")

    @staticmethod
    def _limitations(assessment: Assessment) -> list[str]:
        items: list[str] = []
        for entry in assessment.metadata.get("suppressed_probes", ()) or ():
            if isinstance(entry, Mapping):
                items.append(
                    f"**Probe `{md(str(entry.get('probe', '')))}` is suppressed** ({entry.get('status', '')}, "
                    f"{entry.get('findings', 0)} finding(s)): {md(str(entry.get('justification', '')).rstrip('.'))}; "
                    f"approved by {md(str(entry.get('approved_by', '')))}, expires {md(str(entry.get('expires', '')))}."
                )
        expired = [
            f for f in assessment.findings if f.outcome is Outcome.FALSE and _acceptance(f).get("status") == "expired"
        ]
        if expired:
            items.append(f"{len(expired)} risk acceptance(s) expired; those findings count again.")
        acceptance = assessment.metadata.get("risk_acceptance")
        if isinstance(acceptance, Mapping) and acceptance.get("unmatched"):
            items.append(f"{len(acceptance['unmatched'])} accepted risk(s) in the configuration match no finding.")
        if assessment.errors:
            items.append(f"{len(assessment.errors)} source(s) could not be collected (collection errors).")
        if assessment.skips:
            items.append(f"{len(assessment.skips)} source(s) skipped.")
        return items
