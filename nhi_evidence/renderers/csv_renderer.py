"""``--format csv``: control results and findings in one spreadsheet-ready CSV file.

One file, one header, a ``record`` column saying what each row is:

- ``control``: one row per control of every framework (status, reason, the deciding finding ids);
- ``finding``: one row per finding of every outcome (passes are evidence too), with the acceptance
  columns filled when a risk acceptance covers it.

A single file was chosen over a folder of two so that ``--format csv`` works on standard output and
in a pipe, and a spreadsheet filter on ``record`` gives either table. The file is RFC 4180 CSV
(https://www.rfc-editor.org/rfc/rfc4180) in UTF-8 with a byte-order mark, which spreadsheet programs
need to read UTF-8. Cells holding scanned text that starts with ``= + - @``, a tab or a carriage
return are prefixed with ``'`` so a spreadsheet never runs them as a formula
(https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import Renderer, RenderOptions
from nhi_evidence.textsafe import printable

#: Columns, in order.
COLUMNS: tuple[str, ...] = (
    "record",
    "framework",
    "control_id",
    "control_title",
    "status",
    "reason",
    "finding_id",
    "probe",
    "outcome",
    "severity",
    "subject",
    "subject_name",
    "subject_kind",
    "repository",
    "path",
    "line",
    "message",
    "remediation",
    "controls",
    "findings",
    "acceptance_status",
    "justification",
    "approved_by",
    "expires",
    "acceptance_note",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A safe cell: control characters escaped, formula triggers neutralised."""
    text = "" if value is None else printable(str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class CsvRenderer(Renderer):
    """Control results and findings as one CSV."""

    name = "csv"
    extension = "csv"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        titles = {(f.id, c.id): c.title for f in assessment.frameworks for c in f.controls}
        controls_of: dict[str, list[str]] = {}
        for result in assessment.control_results:
            # A finding evidences every control its probe is mapped to (not only those it decided).
            for probe in result.probes:
                controls_of.setdefault(probe, []).append(f"{result.framework}:{result.control_id}")
            row: dict[str, Any] = {
                "record": "control",
                "framework": result.framework,
                "control_id": result.control_id,
                "control_title": titles.get((result.framework, result.control_id), ""),
                "status": result.status.value,
                "reason": result.reason,
                "findings": " ".join(result.findings),
            }
            writer.writerow([cell(row.get(column, "")) for column in COLUMNS])
        subjects = assessment.subjects_by_id()
        for finding in assessment.findings:
            subject = subjects.get(finding.subject)
            record = finding.values.get("acceptance")
            acceptance: Mapping[str, Any] = record if isinstance(record, Mapping) else {}
            row = {
                "record": "finding",
                "finding_id": finding.id,
                "probe": finding.probe,
                "outcome": finding.outcome.value,
                "severity": finding.severity.value,
                "subject": finding.subject,
                "subject_name": subject.name if subject else "",
                "subject_kind": subject.kind if subject else "",
                "repository": subject.repository if subject else "",
                "path": finding.location.path if finding.location else "",
                "line": finding.location.line if finding.location and finding.location.line else "",
                "message": finding.message,
                "remediation": finding.remediation,
                "controls": " ".join(controls_of.get(finding.probe, [])),
                "acceptance_status": acceptance.get("status", ""),
                "justification": acceptance.get("justification", ""),
                "approved_by": acceptance.get("approved_by", ""),
                "expires": acceptance.get("expires", ""),
                "acceptance_note": acceptance.get("note", ""),
            }
            writer.writerow([cell(row.get(column, "")) for column in COLUMNS])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
