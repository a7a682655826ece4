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
from nhi_evidence.renderers.interface import RenderOptions, StreamedRenderer
from nhi_evidence.sinks import BinaryWriter
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
#: Rows encoded and written at a time.
_ROWS_PER_WRITE = 5_000
#: Most distinct cell texts remembered while writing one file (bounds memory on large assessments).
_CACHE_LIMIT = 100_000


def cell(value: Any) -> str:
    """A safe cell: control characters escaped, formula triggers neutralised."""
    text = "" if value is None else printable(str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class CsvRenderer(StreamedRenderer):
    """Control results and findings as one CSV."""

    name = "csv"
    fixed_cost = 0.1
    cost_per_finding = 45e-6
    extension = "csv"

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """The CSV, encoded and written every few thousand rows (memory stays flat)."""
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")

        def flush() -> None:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()

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
        # Most cells repeat (probe, outcome, subject, controls): each distinct text is made safe once.
        safe: dict[str, str] = {}

        def cached(value: str) -> str:
            found = safe.get(value)
            if found is None:
                found = cell(value)
                if len(safe) < _CACHE_LIMIT:
                    safe[value] = found
            return found

        controls_text = {probe: " ".join(controls) for probe, controls in controls_of.items()}
        for number, finding in enumerate(assessment.findings, 1):
            if number % _ROWS_PER_WRITE == 0:
                flush()
            subject = subjects.get(finding.subject)
            record = finding.values.get("acceptance")
            acceptance: Mapping[str, Any] = record if isinstance(record, Mapping) else {}
            location = finding.location
            # In COLUMNS order; the control columns of a finding row are empty.
            writer.writerow(
                (
                    "finding",
                    "",
                    "",
                    "",
                    "",
                    "",
                    cached(finding.id),
                    cached(finding.probe),
                    cached(finding.outcome.value),
                    cached(finding.severity.value),
                    cached(finding.subject),
                    cached(subject.name) if subject else "",
                    cached(subject.kind) if subject else "",
                    cached(subject.repository) if subject else "",
                    cached(location.path) if location else "",
                    str(location.line) if location and location.line else "",
                    cached(finding.message),
                    cached(finding.remediation),
                    cached(controls_text.get(finding.probe, "")),
                    "",
                    cached(str(acceptance.get("status", ""))),
                    cached(str(acceptance.get("justification", ""))),
                    cached(str(acceptance.get("approved_by", ""))),
                    cached(str(acceptance.get("expires", ""))),
                    cached(str(acceptance.get("note", ""))),
                )
            )
        flush()
