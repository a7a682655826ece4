"""Writing a ``DiffReport`` as text (terminal), Markdown (a pull-request comment), JSON or HTML.

Every string that came from scanned content (finding messages, subject names, paths) is escaped for
its medium: control characters for the terminal, table and HTML metacharacters for Markdown,
``html.escape`` for HTML.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import json
from collections.abc import Callable, Iterable
from typing import assert_never

from nhi_evidence.diff.compare import ControlChange, CoverageRow, DiffReport, FindingRef
from nhi_evidence.textsafe import printable

#: Findings listed per section before "and N more" (counts are always complete; JSON lists everything).
LIST_LIMIT = 50


class DiffFormat(enum.StrEnum):
    """Formats accepted by ``diff --format``."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"


def render(report: DiffReport, fmt: DiffFormat) -> str:
    """The report in the given format."""
    match fmt:
        case DiffFormat.TEXT:
            return render_text(report)
        case DiffFormat.MARKDOWN:
            return render_markdown(report)
        case DiffFormat.JSON:
            return render_json(report)
        case DiffFormat.HTML:
            return render_html(report)
        case _:
            assert_never(fmt)


def to_dict(report: DiffReport) -> dict[str, object]:
    """The report as JSON-compatible data (``dataclasses.asdict`` plus a summary block)."""
    data = dataclasses.asdict(report)
    data["summary"] = summary_counts(report)
    return data


def summary_counts(report: DiffReport) -> dict[str, int]:
    """Headline counts."""
    return {
        "controls_improved": len(report.improved),
        "controls_regressed": len(report.regressed),
        "controls_changed": len(report.changed),
        "findings_new": len(report.new_findings),
        "findings_resolved": len(report.resolved_findings),
        "findings_unchanged": len(report.unchanged_findings),
        "identities_added": len(report.identities_added),
        "identities_removed": len(report.identities_removed),
        "identities_changed": len(report.identities_changed),
        "permissions_gained": sum(1 for p in report.permission_changes if p.direction == "gained"),
        "permissions_lost": sum(1 for p in report.permission_changes if p.direction == "lost"),
        "permissions_changed": sum(1 for p in report.permission_changes if p.direction == "changed"),
    }


def render_json(report: DiffReport) -> str:
    """JSON (two-space indent, trailing newline)."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _delta(row: CoverageRow) -> str:
    if row.before is None or row.after is None:
        return ""
    points = (row.after - row.before) * 100
    return f"{points:+.1f} pts"


def _by_framework(changes: Iterable[ControlChange], framework: str) -> list[ControlChange]:
    return [c for c in changes if c.framework == framework]


def _finding_line(ref: FindingRef, esc: Callable[[str], str]) -> str:
    where = f" ({esc(ref.path)})" if ref.path else ""
    return f"[{ref.severity}] {esc(ref.probe)} on {esc(ref.subject_name)}{where}: {esc(ref.message)}"


def render_text(report: DiffReport) -> str:
    """Plain text for a terminal."""
    p = printable
    lines = [f"Diff {p(report.previous)} -> {p(report.current)}", ""]
    counts = summary_counts(report)
    lines.append(
        f"Controls: {counts['controls_improved']} improved, {counts['controls_regressed']} regressed, "
        f"{counts['controls_changed']} otherwise changed."
    )
    lines.append(
        f"Findings: {counts['findings_new']} new, {counts['findings_resolved']} resolved, "
        f"{counts['findings_unchanged']} unchanged."
    )
    lines.append(
        f"Identities: {counts['identities_added']} added, {counts['identities_removed']} removed, "
        f"{counts['identities_changed']} changed tier. Permissions: {counts['permissions_gained']} gained, "
        f"{counts['permissions_lost']} lost, {counts['permissions_changed']} changed."
    )
    for row in report.coverage:
        lines += ["", f"== {p(row.title)} ({p(row.framework)})"]
        lines.append(f"  coverage {_pct(row.before)} -> {_pct(row.after)} {_delta(row)}".rstrip())
        for label, changes in (
            ("regressed", _by_framework(report.regressed, row.framework)),
            ("improved", _by_framework(report.improved, row.framework)),
            ("changed", _by_framework(report.changed, row.framework)),
        ):
            for change in changes:
                lines.append(
                    f"  {label:<9} {p(change.control_id)} {p(change.title)}: {change.before} -> {change.after}"
                )
                for ref in change.findings[:LIST_LIMIT]:
                    lines.append(f"              {_finding_line(ref, p)}")
    for title, refs in (
        ("New findings", report.new_findings),
        ("Resolved findings", report.resolved_findings),
    ):
        if refs:
            lines += ["", f"{title}:"]
            lines += [f"  {_finding_line(r, p)}" for r in refs[:LIST_LIMIT]]
            if len(refs) > LIST_LIMIT:
                lines.append(f"  ... and {len(refs) - LIST_LIMIT} more (see --format json)")
    if report.identities_added or report.identities_removed or report.identities_changed:
        lines += ["", "Identities:"]
        lines += [f"  + {p(i.name)} ({p(i.kind)}, {i.tier})" for i in report.identities_added]
        lines += [f"  - {p(i.name)} ({p(i.kind)}, {i.tier})" for i in report.identities_removed]
        lines += [f"  ~ {p(i.name)} ({p(i.kind)}): {i.tier_before} -> {i.tier}" for i in report.identities_changed]
    if report.permission_changes:
        lines += ["", "Permission changes:"]
        for perm in report.permission_changes:
            lines.append(
                f"  {perm.direction:<7} {p(perm.subject_name)}: {p(perm.permission)} "
                f"{p(perm.before) or '(absent)'} -> {p(perm.after) or '(absent)'}"
            )
    if report.unavailable:
        lines += ["", "Unavailable comparisons:"]
        lines += [f"  {p(note)}" for note in report.unavailable]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape text for a Markdown table cell or list item (GitHub-flavoured)."""
    text = printable(text).replace("\\", "\\\\")
    for ch in "|`*_[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(report: DiffReport) -> str:
    """GitHub-flavoured Markdown, short enough for a pull-request comment."""
    counts = summary_counts(report)
    out = [f"### nhi-evidence diff: {_md(report.previous)} → {_md(report.current)}", ""]
    out.append(
        f"**{counts['controls_regressed']}** controls regressed, **{counts['controls_improved']}** improved; "
        f"**{counts['findings_new']}** new findings, **{counts['findings_resolved']}** resolved; "
        f"**{counts['identities_added']}** identities added, **{counts['identities_removed']}** removed; "
        f"**{counts['permissions_gained']}** permissions gained."
    )
    out += [
        "",
        "| Framework | Coverage before | Coverage after | Change | Regressed | Improved |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report.coverage:
        out.append(
            f"| {_md(row.title)} | {_pct(row.before)} | {_pct(row.after)} | {_delta(row) or '–'} | "
            f"{len(_by_framework(report.regressed, row.framework))} | {len(_by_framework(report.improved, row.framework))} |"
        )
    for label, changes in (("Regressed controls", report.regressed), ("Improved controls", report.improved)):
        if not changes:
            continue
        out += ["", f"#### {label}", ""]
        for change in changes:
            out.append(
                f"- **{_md(change.control_id)}** {_md(change.title)} ({_md(change.framework)}): "
                f"{change.before} → {change.after}"
            )
            out += [f"  - {_finding_line(ref, _md)}" for ref in change.findings[:10]]
    for label, refs in (("New findings", report.new_findings), ("Resolved findings", report.resolved_findings)):
        if not refs:
            continue
        out += ["", f"#### {label}", ""]
        out += [f"- {_finding_line(ref, _md)}" for ref in refs[:LIST_LIMIT]]
        if len(refs) > LIST_LIMIT:
            out.append(f"- … and {len(refs) - LIST_LIMIT} more")
    if report.identities_added or report.identities_removed or report.identities_changed:
        out += ["", "#### Identities", ""]
        out += [f"- added: {_md(i.name)} ({_md(i.kind)}, {i.tier})" for i in report.identities_added]
        out += [f"- removed: {_md(i.name)} ({_md(i.kind)}, {i.tier})" for i in report.identities_removed]
        out += [f"- tier: {_md(i.name)} {i.tier_before} → {i.tier}" for i in report.identities_changed]
    if report.permission_changes:
        out += [
            "",
            "#### Permission changes",
            "",
            "| Identity | Permission | Before | After | |",
            "|---|---|---|---|---|",
        ]
        for perm in report.permission_changes:
            out.append(
                f"| {_md(perm.subject_name)} | {_md(perm.permission)} | {_md(perm.before) or '–'} | "
                f"{_md(perm.after) or '–'} | {perm.direction} |"
            )
    if report.unavailable:
        out += ["", "<details><summary>Unavailable comparisons</summary>", ""]
        out += [f"- {_md(note)}" for note in report.unavailable]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


HTML_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1f24}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}
.regressed{color:#a4000f}.improved{color:#116329}.changed{color:#6e5400}.muted{color:#57606a}
"""


def render_html(report: DiffReport) -> str:
    """A standalone HTML page (no scripts, no external resources)."""
    e = html.escape
    counts = summary_counts(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>nhi-evidence diff {e(report.previous)} → {e(report.current)}</title>",
        f"<style>{HTML_STYLE}</style></head><body>",
        f"<h1>Diff {e(report.previous)} → {e(report.current)}</h1>",
        "<p>" + ", ".join(f"{e(k.replace('_', ' '))}: <strong>{v}</strong>" for k, v in counts.items()) + "</p>",
        "<h2>Coverage</h2><table><tr><th>Framework</th><th>Before</th><th>After</th><th>Change</th></tr>",
    ]
    for row in report.coverage:
        parts.append(
            f"<tr><td>{e(row.title)}</td><td>{_pct(row.before)}</td><td>{_pct(row.after)}</td><td>{e(_delta(row))}</td></tr>"
        )
    parts.append("</table>")
    for label, changes in (("regressed", report.regressed), ("improved", report.improved), ("changed", report.changed)):
        if not changes:
            continue
        parts.append(f'<h2 class="{label}">Controls {label}</h2><table>')
        parts.append(
            "<tr><th>Framework</th><th>Control</th><th>Before</th><th>After</th><th>Findings behind the change</th></tr>"
        )
        for change in changes:
            behind = "<br>".join(e(_finding_line(ref, str)) for ref in change.findings[:LIST_LIMIT])
            parts.append(
                f"<tr><td>{e(change.framework)}</td><td>{e(change.control_id)} {e(change.title)}</td>"
                f"<td>{e(change.before)}</td><td>{e(change.after)}</td><td>{behind}</td></tr>"
            )
        parts.append("</table>")
    for label, refs in (
        ("New findings", report.new_findings),
        ("Resolved findings", report.resolved_findings),
        ("Unchanged findings", report.unchanged_findings),
    ):
        if refs:
            parts.append(f"<h2>{label} ({len(refs)})</h2><ul>")
            parts += [f"<li>{e(_finding_line(ref, str))}</li>" for ref in refs]
            parts.append("</ul>")
    if report.identities_added or report.identities_removed or report.identities_changed:
        parts.append("<h2>Identities</h2><ul>")
        parts += [f"<li>added: {e(i.name)} ({e(i.kind)}, {e(i.tier)})</li>" for i in report.identities_added]
        parts += [f"<li>removed: {e(i.name)} ({e(i.kind)}, {e(i.tier)})</li>" for i in report.identities_removed]
        parts += [f"<li>tier: {e(i.name)} {e(i.tier_before)} → {e(i.tier)}</li>" for i in report.identities_changed]
        parts.append("</ul>")
    if report.permission_changes:
        parts.append(
            "<h2>Permission changes</h2><table><tr><th>Identity</th><th>Permission</th><th>Before</th><th>After</th><th></th></tr>"
        )
        for perm in report.permission_changes:
            parts.append(
                f"<tr><td>{e(perm.subject_name)}</td><td>{e(perm.permission)}</td><td>{e(perm.before)}</td>"
                f'<td>{e(perm.after)}</td><td class="{"regressed" if perm.direction == "gained" else "muted"}">{e(perm.direction)}</td></tr>'
            )
        parts.append("</table>")
    if report.unavailable:
        parts.append('<h2>Unavailable comparisons</h2><ul class="muted">')
        parts += [f"<li>{e(note)}</li>" for note in report.unavailable]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
