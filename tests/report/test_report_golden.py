"""Golden HTML report: produced by the code with the clock fixed; rewritten with NHI_EVIDENCE_WRITE_GOLDEN=1 (make golden).

Review the diff of tests/golden/report/report.html whenever the templates change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nhi_evidence.renderers import RenderOptions
from nhi_evidence.report import ReportDiff, render_html
from nhi_evidence.report.diff import ControlChange, CoverageChange
from tests.report.builder import build_assessment

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report" / "report.html"

OPTIONS = RenderOptions(
    organization="Acme Corp",
    period="2026-Q4",
    extra={
        "manifest_sha256": "3f" * 32,
        "diff": ReportDiff(
            previous="2026-Q3",
            improved=(ControlChange("nist-csf-2.0", "GV.SC-07", "not-assessed", "satisfied"),),
            regressed=(ControlChange("owasp-nhi-top10-2025", "NHI2", "satisfied", "not-satisfied"),),
            new_findings=4,
            resolved_findings=2,
            new_examples=("secretsNotInConfig: codex in repo-004 fails secretsNotInConfig.",),
            coverage=(CoverageChange("nist-csf-2.0", 0.02, 0.03),),
        ),
    },
)


@pytest.mark.golden
def test_html_report_matches_golden() -> None:
    page = render_html(build_assessment(6), OPTIONS)
    if os.environ.get("NHI_EVIDENCE_WRITE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(page, encoding="utf-8")
    assert GOLDEN.is_file(), "run `make golden` to create the golden report"
    assert page == GOLDEN.read_text(encoding="utf-8")


def test_html_report_is_deterministic() -> None:
    assert render_html(build_assessment(6), OPTIONS) == render_html(build_assessment(6), OPTIONS)
