"""Turn an Assessment into the data the report templates show.

The report's length is driven by this summary design, never by the raw evidence count: findings
are grouped by severity then probe with the count and the first instances of each group, the
identity inventory lists the most capable identities in full and counts the rest, long lists
(skips, errors, evidence files) are capped and point to the JSON assessment and the pack manifest,
which hold everything. Every count shown is computed over the whole assessment.

Every string that came from scanned content goes through ``clean``: secrets are redacted once more
(defence in depth, collectors already redacted them), control characters are shown as escapes and
very long values are shortened. HTML escaping is left to Jinja's autoescape.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nhi_evidence.clock import isoformat
from nhi_evidence.model import (
    Assessment,
    Control,
    ControlResult,
    ControlStatus,
    Finding,
    Framework,
    Outcome,
    Severity,
    Subject,
    Tier,
)
from nhi_evidence.renderers.interface import RenderOptions
from nhi_evidence.report.charts import coverage_chart, heatmaps
from nhi_evidence.report.diff import coerce_diff
from nhi_evidence.secretscan import redact_string
from nhi_evidence.summary import FrameworkSummary, failed_findings, framework_summaries, severity_counts
from nhi_evidence.textsafe import printable


@dataclass(frozen=True)
class Limits:
    """How much of each long list the report shows in full; the rest is counted and pointed to."""

    top_findings: int = 15
    """Rows of the executive summary's findings table (one per probe, most severe first)."""
    instances_per_probe: int = 6
    """Failed instances listed under each probe in the findings section."""
    identities: int = 120
    """Identities listed in full in the inventory (most capable first)."""
    evidence: int = 300
    """Evidence files listed in the appendix; above it the appendix is a summary."""
    skips: int = 25
    """Skipped sources listed in the methodology section."""
    errors: int = 40
    """Collection errors listed in the methodology section."""
    repositories: int = 40
    """Repository names listed in the scope."""
    control_evidence: int = 3
    """Evidence sources named per control row."""
    chunk: int = 40
    """Rows per table: long tables are split, which keeps weasyprint's layout time linear."""


DEFAULT_LIMITS = Limits()

#: Short framework names for charts and narrow columns.
SHORT_NAMES = {
    "owasp-nhi-top10-2025": "OWASP NHI Top 10 2025",
    "owasp-agentic-top10-2026": "OWASP Agentic Top 10 2026",
    "nist-csf-2.0": "NIST CSF 2.0",
}

STATUS_LABELS = {
    ControlStatus.SATISFIED: "Satisfied",
    ControlStatus.NOT_SATISFIED: "Not satisfied",
    ControlStatus.NOT_ASSESSED: "Not assessed",
    ControlStatus.NOT_APPLICABLE: "Not applicable",
}

#: Fact keys read from subjects, in order of preference (collectors define the vocabulary; every
#: read is defensive, a subject may have none of them).
PERMISSION_KEYS = ("permissions", "effective_permissions", "allowed_tools", "tools")
CREDENTIAL_KEYS = ("secrets", "credentials", "tokens")
OWNER_KEYS = ("owner", "owners", "maintainer")
#: Bookkeeping keys inside facts that say where a value came from, not what it is.
META_KEYS = frozenset({"path", "line", "pointer", "rule_sources", "source", "docs_url"})


def clean(value: Any, limit: int = 300) -> str:
    """Untrusted value -> display text: secrets redacted, control characters escaped, shortened."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 4 * limit:
        text = text[: 4 * limit]
    text, _ = redact_string(text)
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_name(framework: Framework) -> str:
    """A short framework name for charts and narrow columns."""
    return SHORT_NAMES.get(framework.id, f"{framework.title} {framework.version}".strip())


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    """Split rows into tables of at most size rows (never an empty list of tables for empty input)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value == ()


def one_line(value: Any, limit: int = 220) -> str:
    """A permission-like fact (string, list or mapping) in one line; empty entries and bookkeeping keys left out."""
    if _empty(value):
        return ""
    if isinstance(value, Mapping):
        parts = [
            f"{k}: {str(v).lower()}" if isinstance(v, bool) else f"{k}: {one_line(v, limit)}"
            for k, v in value.items()
            if k not in META_KEYS and not _empty(v)
        ]
        return clean("; ".join(parts), limit)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return clean(", ".join(one_line(v, limit) for v in items), limit)
    return clean(value, limit)


def _first_fact(facts: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = facts.get(key)
        if value not in (None, "", [], {}, ()):
            return value
    return None


def _scopes(permissions: Mapping[str, Any]) -> str:
    """GitHub token scopes as "token write: a, b; read: c"."""
    scopes = permissions.get("scopes")
    if not isinstance(scopes, Mapping):
        return ""
    write = sorted(str(k) for k, v in scopes.items() if v == "write")
    read = sorted(str(k) for k, v in scopes.items() if v == "read")
    if not write and not read:
        return "token: no scopes"
    parts = [f"write: {', '.join(write)}" if write else "", f"read: {', '.join(read)}" if read else ""]
    return "token " + "; ".join(p for p in parts if p)


def permissions_line(facts: Mapping[str, Any], limit: int = 260) -> str:
    """Effective permissions of a subject in one line, from whichever facts its collector recorded."""
    parts: list[str] = []
    value = _first_fact(facts, PERMISSION_KEYS)
    setup = facts.get("copilot_setup_steps")
    if value is None and isinstance(setup, Mapping):
        value = setup.get("permissions")
    if isinstance(value, Mapping) and "scopes" in value:
        parts.append(_scopes(value))
    elif value is not None:
        parts.append(one_line(value, limit))
    approval = facts.get("approval")
    if isinstance(approval, Mapping) and approval.get("mode"):
        parts.append(f"approval: {approval['mode']}")
    sandbox = facts.get("sandbox")
    if isinstance(sandbox, Mapping) and sandbox.get("enabled") is False:
        parts.append("no sandbox")
    for key, label in (("shell", "unrestricted shell"), ("network", "unrestricted network")):
        fact = facts.get(key)
        if isinstance(fact, Mapping) and fact.get("unrestricted") is True:
            parts.append(label)
    return clean("; ".join(p for p in parts if p), limit)


def credentials_line(facts: Mapping[str, Any]) -> list[str]:
    """Credentials of a subject as fingerprints (name and fingerprint when a mapping gives both)."""
    value = _first_fact(facts, CREDENTIAL_KEYS)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            name = item.get("name") or item.get("key") or item.get("variable") or ""
            fp = item.get("fingerprint") or item.get("marker") or ""
            # A credential named but not held in the file is a reference to a secret store.
            label = f"{name} {fp}".strip() if fp else f"{name} (reference)" if name else ""
            line = clean(label, 120)
        else:
            line = clean(item, 120)
        if line and line not in out:
            out.append(line)
    return out


def _location(finding: Finding) -> str:
    if finding.location is None:
        return ""
    loc = finding.location
    text = loc.path + (f":{loc.line}" if loc.line else "")
    if loc.pointer and not loc.line:
        text += f" ({loc.pointer})"
    return clean(text, 240)


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _framework_row(summary: FrameworkSummary, framework: Framework) -> dict[str, Any]:
    return {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "short": short_name(framework),
        "satisfied": summary.satisfied,
        "not_satisfied": summary.not_satisfied,
        "not_assessed": summary.not_assessed,
        "not_applicable": summary.not_applicable,
        "total": summary.total,
        "coverage": summary.coverage,
        "coverage_pct": _pct(summary.coverage),
        "compliance_pct": _pct(summary.compliance) if summary.assessed else "–",
    }


def _controls_by_probe(assessment: Assessment) -> dict[str, list[tuple[str, str]]]:
    short = {f.id: short_name(f) for f in assessment.frameworks}
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for result in assessment.control_results:
        for probe in result.probes:
            out[probe].append((short.get(result.framework, result.framework), result.control_id))
    return out


def _affected(controls: list[tuple[str, str]]) -> list[dict[str, str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for framework, control in controls:
        grouped[framework].append(control)
    return [{"framework": fw, "controls": ", ".join(ids)} for fw, ids in grouped.items()]


def _finding_row(finding: Finding, subjects: Mapping[str, Subject]) -> dict[str, Any]:
    subject = subjects.get(finding.subject)
    return {
        "severity": finding.severity.value,
        "probe": finding.probe,
        "message": clean(finding.message, 400),
        "subject": clean(subject.name if subject else finding.subject, 160),
        "location": _location(finding),
    }


def _probe_statements() -> dict[str, str]:
    """Probe id -> its one-sentence statement, from the registered probe definitions."""
    from nhi_evidence.probes import probe_definitions
    from nhi_evidence.probes.interface import ProbeDefinitionError

    try:
        return {pid: d.short for pid, d in probe_definitions().items()}
    except ProbeDefinitionError:
        # A broken definition file is reported by the scan itself; the report shows ids only.
        return {}


def _findings_section(
    failed: list[Finding],
    subjects: Mapping[str, Subject],
    by_probe: Mapping[str, list[tuple[str, str]]],
    limits: Limits,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(severity groups with probe groups, top findings table rows)."""
    groups: dict[Severity, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in failed:
        groups[finding.severity][finding.probe].append(finding)
    sections: list[dict[str, Any]] = []
    top: list[dict[str, Any]] = []
    statements = _probe_statements()
    for severity in reversed(Severity):
        probes = groups.get(severity)
        if not probes:
            continue
        probe_rows: list[dict[str, Any]] = []
        for probe in sorted(probes, key=lambda p: (-len(probes[p]), p)):
            items = sorted(probes[probe], key=lambda f: (f.message, f.id))
            first = items[0]
            row = {
                "probe": probe,
                "statement": clean(statements.get(probe, ""), 300),
                "count": len(items),
                "subjects": len({f.subject for f in items}),
                "remediation": clean(first.remediation, 600),
                "remediation_varies": len({f.remediation for f in items[:200]}) > 1,
                "controls": _affected(by_probe.get(probe, [])),
                "instances": [_finding_row(f, subjects) for f in items[: limits.instances_per_probe]],
                "more": max(0, len(items) - limits.instances_per_probe),
            }
            probe_rows.append(row)
            if len(top) < limits.top_findings:
                top.append({**_finding_row(first, subjects), "count": len(items)})
        sections.append(
            {"severity": severity.value, "count": sum(len(v) for v in probes.values()), "probes": probe_rows}
        )
    return sections, top


def inventory_subjects(subjects: Iterable[Subject], limits: Limits) -> list[Subject]:
    """The identities the inventory lists in full, most capable first: the only ones whose facts it reads."""
    ordered = sorted(subjects, key=lambda s: (-s.capability.tier.rank, s.repository, s.name, s.id))
    return ordered[: limits.identities]


def _inventory(subjects: tuple[Subject, ...], limits: Limits) -> dict[str, Any]:
    tiers = list(reversed(Tier))
    by_kind: dict[str, Counter[Tier]] = defaultdict(Counter)
    for subject in subjects:
        by_kind[subject.kind][subject.capability.tier] += 1
    matrix: list[dict[str, Any]] = [
        {"kind": clean(kind, 60), "counts": [by_kind[kind][t] for t in tiers], "total": sum(by_kind[kind].values())}
        for kind in sorted(by_kind)
    ]
    tier_totals = [sum(by_kind[kind][t] for kind in by_kind) for t in tiers]
    rows: list[dict[str, Any]] = []
    for subject in inventory_subjects(subjects, limits):
        facts = subject.facts if isinstance(subject.facts, Mapping) else {}
        owner = _first_fact(facts, OWNER_KEYS)
        rows.append(
            {
                "name": clean(subject.name, 160),
                "kind": clean(subject.kind, 60),
                "path": clean(subject.path or subject.repository, 240),
                "tier": subject.capability.tier.value,
                "reasons": [clean(r, 200) for r in subject.capability.reasons[:2]],
                "more_reasons": max(0, len(subject.capability.reasons) - 2),
                "permissions": permissions_line(facts),
                "credentials": credentials_line(facts),
                "owner": one_line(owner, 120) if owner is not None else "",
            }
        )
    return {
        "tiers": [t.value for t in tiers],
        "matrix": matrix,
        "tier_totals": tier_totals,
        "total": len(subjects),
        "tables": chunks(rows, limits.chunk),
        "shown": len(rows),
        "more": max(0, len(subjects) - len(rows)),
    }


def _control_row(
    control: Control | None,
    control_id: str,
    result: ControlResult,
    findings: Mapping[str, Finding],
    evidence_sources: Mapping[str, str],
    limits: Limits,
) -> dict[str, Any]:
    failed = passed = 0
    subjects: set[str] = set()
    evidence: set[str] = set()
    for finding_id in result.findings:
        finding = findings.get(finding_id)
        if finding is None:
            continue
        if finding.outcome is Outcome.FALSE:
            failed += 1
        elif finding.outcome is Outcome.TRUE:
            passed += 1
        subjects.add(finding.subject)
        evidence.update(finding.evidence_ids)
    # The first few sources in order, without sorting every source of a control linked to thousands.
    sample = heapq.nsmallest(limits.control_evidence, (evidence_sources.get(e, e) for e in evidence))
    return {
        "id": control_id,
        "title": clean(control.title if control else control_id, 400),
        "label": control.label if control else "",
        "replaces": ", ".join(control.replaces) if control else "",
        "status": result.status.value,
        "status_label": STATUS_LABELS[result.status],
        "reason": clean(result.reason, 400),
        "probes": list(result.probes),
        "failed": failed,
        "passed": passed,
        "subjects": len(subjects),
        "evidence_count": len(evidence),
        "evidence": [clean(s, 200) for s in sample],
    }


def _control_tables(assessment: Assessment, limits: Limits) -> list[dict[str, Any]]:
    findings = assessment.findings_by_id()
    evidence_sources = {e.id: e.source for e in assessment.evidence}
    results: dict[str, list[ControlResult]] = defaultdict(list)
    for result in assessment.control_results:
        results[result.framework].append(result)
    summaries = {s.framework: s for s in framework_summaries(assessment)}
    out: list[dict[str, Any]] = []
    for framework in assessment.frameworks:
        rows = [
            _control_row(framework.control(r.control_id), r.control_id, r, findings, evidence_sources, limits)
            for r in results.get(framework.id, [])
        ]
        group_titles = {g.id: g.title for g in framework.groups}
        tables: list[dict[str, Any]] = []
        if framework.groups:
            by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
            order: list[str] = []
            for row in rows:
                control = framework.control(row["id"])
                group = control.group if control else ""
                if group not in by_group:
                    order.append(group)
                by_group[group].append(row)
            for group in order:
                for part in chunks(by_group[group], limits.chunk):
                    tables.append({"id": group, "title": group_titles.get(group, ""), "rows": part})
        else:
            for part in chunks(rows, limits.chunk):
                tables.append({"id": "", "title": "", "rows": part})
        out.append(
            {
                **_framework_row(summaries[framework.id], framework),
                "publisher": framework.publisher,
                "has_replaces": any(c.replaces for c in framework.controls),
                "tables": tables,
            }
        )
    return out


def _methodology(assessment: Assessment, limits: Limits) -> dict[str, Any]:
    skip_reasons = Counter(clean(s.reason, 200) for s in assessment.skips)
    error_collectors = Counter(clean(e.collector or "pipeline", 60) for e in assessment.errors)
    outcomes = Counter(f.outcome for f in assessment.findings)
    sources = [
        {"name": clean(k, 60), "value": one_line(v, 200) if not isinstance(v, bool) else "yes"}
        for k, v in sorted(assessment.scope.sources.items())
    ]
    return {
        "collectors": [clean(c, 60) for c in assessment.scope.collectors],
        "sources": sources,
        "skips_total": len(assessment.skips),
        "skip_reasons": skip_reasons.most_common(15),
        "skips": chunks(
            [
                {"path": clean(s.path, 240), "reason": clean(s.reason, 300), "collector": clean(s.collector, 60)}
                for s in assessment.skips[: limits.skips]
            ],
            limits.chunk,
        ),
        "errors_total": len(assessment.errors),
        "error_collectors": sorted(error_collectors.items()),
        "errors": chunks(
            [
                {
                    "path": clean(e.path, 240) + (f":{e.line}" if e.line else ""),
                    "message": clean(e.message, 300),
                    "collector": clean(e.collector, 60),
                }
                for e in assessment.errors[: limits.errors]
            ],
            limits.chunk,
        ),
        "outcomes": [(o.value, outcomes[o]) for o in Outcome],
        # Whole probes accepted through configuration: shown first among the limitations, never silently.
        "suppressed": [
            {
                "probe": clean(str(entry.get("probe", "")), 80),
                "justification": clean(str(entry.get("justification", "")), 300),
                "approved_by": clean(str(entry.get("approved_by", "")), 120),
                "expires": clean(str(entry.get("expires", "")), 20),
                "status": clean(str(entry.get("status", "")), 20),
                "findings": int(entry.get("findings", 0) or 0),
            }
            for entry in assessment.metadata.get("suppressed_probes", ()) or ()
            if isinstance(entry, dict)
        ],
        "frameworks": [
            {
                "id": f.id,
                "title": f.title,
                "version": f.version,
                "publisher": f.publisher,
                "license": f.license,
                "source": list(f.source[:1]),
                "owasp": f.id.startswith("owasp") or "OWASP" in f.publisher,
            }
            for f in assessment.frameworks
        ],
    }


def _evidence_appendix(assessment: Assessment, limits: Limits, manifest_sha256: str) -> dict[str, Any]:
    evidence = assessment.evidence
    summary = len(evidence) > limits.evidence
    by_collector: Counter[str] = Counter()
    by_media: Counter[str] = Counter()
    size = 0
    for e in evidence:
        by_collector[clean(e.collector, 60)] += 1
        by_media[clean(e.media_type, 60)] += 1
        size += e.size
    rows = (
        []
        if summary
        else [
            {
                "source": clean(e.source, 300),
                "collector": clean(e.collector, 60),
                "media_type": clean(e.media_type, 60),
                "size": e.size,
                "sha256": clean(e.sha256, 64),
            }
            for e in sorted(evidence, key=lambda e: (e.source, e.id))
        ]
    )
    return {
        "total": len(evidence),
        "summary": summary,
        "limit": limits.evidence,
        "size": size,
        "by_collector": sorted(by_collector.items()),
        "by_media": sorted(by_media.items()),
        "tables": chunks(rows, limits.chunk),
        "manifest_sha256": manifest_sha256,
    }


def build_context(
    assessment: Assessment, options: RenderOptions, *, mode: str = "pdf", limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Everything the report templates show, as plain data (mode: "pdf" or "html")."""
    organization = clean(options.organization or str(assessment.metadata.get("organization", "") or ""), 120)
    period = clean(options.period or str(assessment.metadata.get("period", "") or ""), 60)
    manifest = options.extra.get("manifest_sha256") if isinstance(options.extra, Mapping) else None
    manifest_sha256 = clean(manifest, 80) if manifest else ""
    diff = coerce_diff(options.extra.get("diff")) if isinstance(options.extra, Mapping) else None
    subjects = assessment.subjects_by_id()
    failed = failed_findings(assessment)
    by_probe = _controls_by_probe(assessment)
    finding_sections, top = _findings_section(failed, subjects, by_probe, limits)
    frameworks = {f.id: f for f in assessment.frameworks}
    summaries = [_framework_row(s, frameworks[s.framework]) for s in framework_summaries(assessment)]
    scope = assessment.scope
    title = "AI Coding Assistant Identity Assurance Report"
    created = isoformat(assessment.created_at)
    return {
        "mode": mode,
        "title": title,
        "organization": organization,
        "period": period,
        "running_header": " · ".join(p for p in (organization, period) if p) or "nhi-evidence assessment",
        "meta": {
            "title": " – ".join(p for p in (title, organization, period) if p),
            "author": organization or "nhi-evidence",
            "subject": "Audit evidence about AI coding assistants as non-human identities, mapped to "
            + ", ".join(short_name(f) for f in assessment.frameworks),
            "keywords": ", ".join(
                ["audit", "non-human identity", "AI coding assistants", *(short_name(f) for f in assessment.frameworks)]
            ),
            "created": created,
            "generator": f"nhi-evidence {assessment.tool_version}",
        },
        "assessment_id": assessment.id,
        "tool_version": clean(assessment.tool_version, 40),
        "created": created,
        "created_date": created[:10],
        "manifest_sha256": manifest_sha256,
        "scope": {
            "roots": [clean(r, 160) for r in scope.roots],
            "repositories": len(scope.repositories),
            "repository_sample": [clean(r, 160) for r in scope.repositories[: limits.repositories]],
            "collectors": len(scope.collectors),
        },
        "counts": {
            "subjects": len(assessment.subjects),
            "evidence": len(assessment.evidence),
            "findings": len(assessment.findings),
            "failed": len(failed),
            "skips": len(assessment.skips),
            "errors": len(assessment.errors),
            "probes_failed": len({f.probe for f in failed}),
        },
        "severity_counts": [(s.value, n) for s, n in severity_counts(assessment).items()],
        "summaries": summaries,
        "framework_names": {f.id: short_name(f) for f in assessment.frameworks},
        "top_findings": top,
        "diff": diff,
        "charts": {"coverage": coverage_chart(summaries), "heatmaps": heatmaps(assessment)},
        "inventory": _inventory(assessment.subjects, limits),
        "findings": finding_sections,
        "frameworks": _control_tables(assessment, limits),
        "methodology": _methodology(assessment, limits),
        "evidence": _evidence_appendix(assessment, limits, manifest_sha256),
        "limits": limits,
    }
