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

import re
from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Assessment, Outcome, Severity
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


def field(value: Any) -> str:
    """A safe cell as it appears in the file: quoted as ``csv.writer`` quotes (RFC 4180, minimal quoting).

    Rows are joined from these fields directly: most cells repeat across hundreds of thousands of
    rows, and a field made once is cheaper than the csv module analysing every cell of every row
    (a test checks the bytes against ``csv.writer``).
    """
    text = "" if value is None else str(value)
    if _PLAIN.fullmatch(text) is not None and not text.startswith(_FORMULA_START):
        # Most cells (ids, paths, sentences) need neither escaping nor quoting.
        return text
    text = cell(text)
    if any(special in text for special in _QUOTE_WHEN):
        return '"' + text.replace('"', '""') + '"'
    return text


#: Text that cell() leaves unchanged and csv.writer does not quote.
_PLAIN = re.compile(r'[^,"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*')
#: Line ends of RFC 4180.
CRLF = "\r\n"
#: The five acceptance cells of a finding no risk acceptance covers.
_ACCEPTANCE_EMPTY = ",,,,"
#: Characters that make ``csv.writer`` quote a field (delimiter, quote character, line ends).
_QUOTE_WHEN = (",", '"', "\r", "\n")


class CsvRenderer(StreamedRenderer):
    """Control results and findings as one CSV."""

    name = "csv"
    fixed_cost = 0.1
    cost_per_finding = 18e-6
    extension = "csv"

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """The CSV, encoded and written every few thousand rows (memory stays flat)."""
        rows: list[str] = ["\ufeff" + ",".join(map(field, COLUMNS))]

        def flush() -> None:
            rows.append("")
            out.write(CRLF.join(rows).encode("utf-8"))
            rows.clear()

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
            rows.append(",".join(field(row.get(column, "")) for column in COLUMNS))
        subjects = assessment.subjects_by_id()
        # Most cells repeat (probe, outcome, subject, controls): each distinct text is made safe once.
        safe: dict[str, str] = {}

        def cached(value: str) -> str:
            found = safe.get(value)
            if found is None:
                found = field(value)
                if len(safe) < _CACHE_LIMIT:
                    safe[value] = found
            return found

        enum_text: dict[Outcome | Severity, str] = {member: field(member.value) for member in (*Outcome, *Severity)}
        # The subject's id, name, kind and repository cells, joined once per subject.
        subject_text: dict[str, str] = {}
        controls_text = {probe: field(" ".join(controls)) for probe, controls in controls_of.items()}
        for number, finding in enumerate(assessment.findings, 1):
            if number % _ROWS_PER_WRITE == 0:
                flush()
            record = finding.values.get("acceptance")
            location = finding.location
            # In COLUMNS order; the control columns of a finding row are empty.
            subject_cells = subject_text.get(finding.subject)
            if subject_cells is None:
                subject = subjects.get(finding.subject)
                names = (subject.name, subject.kind, subject.repository) if subject else ("", "", "")
                subject_cells = subject_text[finding.subject] = ",".join(map(cached, (finding.subject, *names)))
            acceptance_cells = _ACCEPTANCE_EMPTY
            if isinstance(record, Mapping):
                acceptance_cells = ",".join(
                    cached(str(record.get(key, "")))
                    for key in ("status", "justification", "approved_by", "expires", "note")
                )
            rows.append(
                ",".join(
                    (
                        "finding,,,,,",
                        field(finding.id),
                        cached(finding.probe),
                        enum_text[finding.outcome],
                        enum_text[finding.severity],
                        subject_cells,
                        cached(location.path) if location else "",
                        str(location.line) if location and location.line else "",
                        field(finding.message),
                        cached(finding.remediation),
                        controls_text.get(finding.probe, ""),
                        "",
                        acceptance_cells,
                    )
                )
            )
        flush()
