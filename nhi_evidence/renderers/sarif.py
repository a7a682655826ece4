"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per probe (its definition's statement, motivation and remediation as help, the mapped
control ids as tags), one result per false finding with its file and line, the severity as a SARIF
level and as ``properties.security-severity`` (the number GitHub turns into critical/high/medium/low).
A finding covered by an unexpired risk acceptance keeps its result, with an ``accepted`` suppression
carrying the justification, so viewers show it as dismissed rather than losing it.

NOTE: GitHub reads a subset of SARIF and some properties of its own: relative ``artifactLocation.uri``
(relative to the repository root), ``partialFingerprints``, ``properties.security-severity`` on the
rule, and ``properties.tags``; see
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
The format itself: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from nhi_evidence import __version__, jsonstream
from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import Assessment, Finding, Outcome, Severity
from nhi_evidence.probes import probe_definitions
from nhi_evidence.probes.interface import ProbeDefinition, fill
from nhi_evidence.renderers.interface import RenderOptions, StreamedRenderer
from nhi_evidence.sinks import BinaryWriter

#: The schema URI written in ``$schema`` (the OASIS errata 01 schema of SARIF 2.1.0).
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: Project page named as the tool's information URI.
INFORMATION_URI = "https://github.com/nhi-evidence/nhi-evidence"

#: Most tags per rule GitHub accepts.
MAX_TAGS = 20

#: SARIF ``level`` per severity.
LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

#: GitHub ``security-severity`` per severity (GitHub: >=9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
#: 0.1-3.9 low). Informational probes get none, so GitHub does not rank them as security alerts.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _controls_by_probe(assessment: Assessment) -> dict[str, list[str]]:
    """Tags ``external/<framework>/<control>`` per probe, from the control results' linked probes."""
    tags: dict[str, set[str]] = defaultdict(set)
    for result in assessment.control_results:
        for probe in result.probes:
            tags[probe].add(f"external/{result.framework}/{result.control_id}")
    return {probe: sorted(values) for probe, values in tags.items()}


def _help(definition: ProbeDefinition) -> tuple[str, str]:
    """Plain-text and Markdown help for a rule."""
    # YAML reads an unquoted `false:` key as a boolean, which the definition loader keeps as "False".
    false_means = definition.outcomes.get("false") or definition.outcomes.get("False") or ""
    # The rule describes the probe, not one finding: name the remediation's placeholders instead.
    # fill() with no values also turns the template's escaped braces ({{ }}) into literal ones.
    template = fill(definition.remediation, {})
    remediation_text = _PLACEHOLDER.sub(r"<\1>", template)
    remediation_markdown = _PLACEHOLDER.sub(r"*\1*", template)
    text = "\n\n".join(
        part
        for part in (
            definition.short,
            definition.motivation,
            f"When false: {false_means}" if false_means else "",
            f"Remediation: {remediation_text}",
            f"Documentation: {definition.docs_url}" if definition.docs_url else "",
        )
        if part
    )
    markdown = "\n\n".join(
        part
        for part in (
            f"**{definition.short}**",
            definition.motivation,
            f"**When false:** {false_means}" if false_means else "",
            f"**Remediation:** {remediation_markdown}",
            f"[Documentation]({definition.docs_url})" if definition.docs_url else "",
        )
        if part
    )
    return text, markdown


def _rule(probe: str, definition: ProbeDefinition | None, severity: Severity, tags: list[str]) -> dict[str, Any]:
    # NOTE: GitHub rejects a rule with more than 20 tags (and shows 10):
    # https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
    # The complete list of controls stays in properties.controls.
    properties: dict[str, Any] = {
        "tags": ["security", *tags][:MAX_TAGS],
        "precision": "high",
        "controls": [tag.removeprefix("external/") for tag in tags],
    }
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    rule: dict[str, Any] = {"id": probe, "name": probe[:1].upper() + probe[1:]}
    if definition is not None:
        text, markdown = _help(definition)
        rule["shortDescription"] = {"text": definition.short}
        rule["fullDescription"] = {"text": definition.motivation or definition.short}
        rule["help"] = {"text": text, "markdown": markdown}
        if definition.docs_url:
            rule["helpUri"] = definition.docs_url
    else:
        # A probe of another tool version (an assessment read back from JSON): no wording available.
        rule["shortDescription"] = {"text": probe}
    rule["defaultConfiguration"] = {"level": LEVELS[severity]}
    rule["properties"] = properties
    return rule


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a relative URI under ``%SRCROOT%``, or an absolute URI as it is.

    SARIF wants URIs (RFC 3986), so a path with spaces or ``#`` is percent-encoded; an absolute file
    path (an inventory or log given outside the scanned PATH) becomes a ``file://`` URI.
    """
    if "://" in path:
        # Non-file sources (github://, auditlog://) are absolute URIs already: no base.
        return {"uri": path}
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _location(finding: Finding, subject_path: str) -> dict[str, Any] | None:
    path = finding.location.path if finding.location else subject_path
    if not path:
        return None
    physical: dict[str, Any] = {"artifactLocation": artifact_location(path)}
    if finding.location and finding.location.line and finding.location.line >= 1:
        physical["region"] = {"startLine": finding.location.line}
    return {"physicalLocation": physical}


def _result(finding: Finding, rule_index: int, subject_path: str, subject_name: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.probe,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + (f" {finding.remediation}" if finding.remediation else "")},
    }
    location = _location(finding, subject_path)
    if location is not None:
        result["locations"] = [location]
    result["partialFingerprints"] = {"nhiEvidenceFinding/v1": finding.id}
    properties: dict[str, Any] = {"subject": finding.subject, "subjectName": subject_name, "severity": finding.severity}
    if finding.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[finding.severity]
    record = finding.values.get("acceptance")
    if isinstance(record, Mapping):
        properties["acceptance"] = dict(record)
        if record.get("status") == "accepted":
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{record.get('justification', '')} (approved by {record.get('approved_by', '')},"
                    f" expires {record.get('expires', '')})",
                }
            ]
    result["properties"] = properties
    return result


def to_sarif(assessment: Assessment) -> dict[str, Any]:
    """The assessment as a SARIF 2.1.0 log (one run)."""
    return jsonstream.materialise(sarif_skeleton(assessment))


def sarif_skeleton(assessment: Assessment) -> dict[str, Any]:
    """The SARIF log with its results as a stream (``jsonstream``)."""
    definitions = probe_definitions()
    tags = _controls_by_probe(assessment)
    severities = {f.probe: f.severity for f in assessment.findings}
    probes = sorted(set(definitions) | set(severities))
    rules = [
        _rule(
            probe,
            definitions.get(probe),
            definitions[probe].severity if probe in definitions else severities[probe],
            tags.get(probe, []),
        )
        for probe in probes
    ]
    index = {probe: i for i, probe in enumerate(probes)}
    subjects = assessment.subjects_by_id()

    def results() -> Iterator[dict[str, Any]]:
        for finding in assessment.findings:
            if finding.outcome is not Outcome.FALSE:
                continue
            subject = subjects.get(finding.subject)
            yield _result(
                finding, index[finding.probe], subject.path if subject else "", subject.name if subject else ""
            )

    notifications = [
        {
            "level": "warning",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.path)}}],
            **({"properties": {"line": error.line}} if error.line else {}),
        }
        for error in assessment.errors
        if error.path
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "nhi-evidence",
                "version": assessment.tool_version or __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"nhi-evidence/{assessment.id}"},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        # SARIF wants the array even when empty.
        "results": jsonstream.Stream(results, keep_empty=True),
        "properties": {
            "frameworks": [f"{f.id} {f.version}" for f in assessment.frameworks],
            "repositories": list(assessment.scope.repositories),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifRenderer(StreamedRenderer):
    """SARIF 2.1.0 (``nhi-evidence scan --format sarif -o results.sarif``)."""

    name = "sarif"
    fixed_cost = 0.1
    cost_per_finding = 12e-6
    extension = "sarif"

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """The log, result by result (the bytes of ``json.dumps(to_sarif(...), indent=2)``)."""
        with paused_gc():
            jsonstream.write(sarif_skeleton(assessment), out)
