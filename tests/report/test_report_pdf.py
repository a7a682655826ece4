"""The PDF report: its numbers and statuses equal the assessment's, its structure (outline, metadata, page numbers)."""

from __future__ import annotations

import re

import pytest

from nhi_evidence.model import Assessment, Outcome
from nhi_evidence.renderers import OutputFormat, RenderOptions
from nhi_evidence.report import render_html, render_pdf
from nhi_evidence.report.render import render_pdf_and_html
from nhi_evidence.summary import framework_summaries, severity_counts
from tests.report.builder import build_assessment
from tests.report.helpers import (
    expected_statuses,
    outline_pages,
    pdf_reader,
    section_text,
    statuses_from_text,
)

OPTIONS = RenderOptions(organization="Acme Corp", period="2026-Q4")


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return build_assessment(8)


@pytest.fixture(scope="module")
def pdf(assessment: Assessment) -> bytes:
    return render_pdf(assessment, OPTIONS).content


def test_every_section_has_a_bookmark(pdf: bytes) -> None:
    pages = outline_pages(pdf_reader(pdf))
    assert list(pages) == [
        "Contents",
        "Executive summary",
        "Identity inventory",
        "Findings",
        "Control tables",
        "Methodology and limitations",
        "Evidence appendix",
        "Sign-off",
    ]
    assert list(pages.values()) == sorted(pages.values())


def test_metadata_names_the_report(pdf: bytes) -> None:
    meta = pdf_reader(pdf).metadata
    assert meta is not None
    assert meta.title == "AI Coding Assistant Identity Assurance Report – Acme Corp – 2026-Q4"
    assert meta.author == "Acme Corp"
    assert "OWASP NHI Top 10 2025" in (meta.subject or "")
    assert "NIST CSF 2.0" in str(meta.get("/Keywords"))
    assert str(meta.get("/CreationDate")).startswith("D:20261125120000")


def test_page_x_of_y_and_running_header(pdf: bytes) -> None:
    reader = pdf_reader(pdf)
    total = len(reader.pages)
    for index in (1, total - 1):
        text = reader.pages[index].extract_text()
        assert f"Page {index + 1} of {total}" in text
        assert "Acme Corp · 2026-Q4" in text
    # The cover carries neither.
    assert "Page 1 of" not in reader.pages[0].extract_text()


def test_contents_give_the_page_of_each_section(pdf: bytes) -> None:
    reader = pdf_reader(pdf)
    pages = outline_pages(reader)
    toc = reader.pages[pages["Contents"]].extract_text()
    for title in ("Executive summary", "Findings", "Evidence appendix", "Sign-off"):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", toc, re.M)
        assert match, title
        assert int(match.group(1)) == pages[title] + 1


def test_summary_counts_equal_the_assessment(pdf: bytes, assessment: Assessment) -> None:
    text = section_text(pdf_reader(pdf), "Executive summary")
    for s in framework_summaries(assessment):
        row = f"{s.total} {s.satisfied} {s.not_satisfied} {s.not_assessed} {s.not_applicable} {s.coverage:.0%}"
        assert row in text, (s.framework, row)
    counts = severity_counts(assessment)
    failed = sum(counts.values())
    assert failed == sum(f.outcome is Outcome.FALSE for f in assessment.findings)
    assert " ".join(str(n) for n in counts.values()) + f" {failed}" in text
    assert f"{len(assessment.findings)} probe results, of which {failed} failed" in text


def test_findings_section_counts_each_severity(pdf: bytes, assessment: Assessment) -> None:
    text = section_text(pdf_reader(pdf), "Findings")
    for severity, n in severity_counts(assessment).items():
        heading = f"{severity.value.capitalize()} ({n})"
        assert (heading in text) == bool(n), heading


def test_control_statuses_equal_the_assessment(pdf: bytes, assessment: Assessment) -> None:
    text = section_text(pdf_reader(pdf), "Control tables")
    for framework in assessment.frameworks:
        ids = [c.id for c in framework.controls]
        expected = expected_statuses(assessment.control_results, framework.id)
        assert statuses_from_text(text, ids) == expected, framework.id
    # Several statuses occur, so the comparison above can tell them apart.
    assert {r.status.value for r in assessment.control_results} >= {"satisfied", "not-satisfied", "not-assessed"}


def test_csf_rows_note_the_csf_1_1_ids_they_replace(pdf: bytes, assessment: Assessment) -> None:
    text = section_text(pdf_reader(pdf), "Control tables")
    csf = next(f for f in assessment.frameworks if f.id == "nist-csf-2.0")
    control = next(c for c in csf.controls if len(c.replaces) >= 2)
    assert re.search(r"CSF 1\.1:\s*" + r",\s*".join(re.escape(r) for r in control.replaces), text)


def test_pdf_a_variant(assessment: Assessment) -> None:
    content = render_pdf(assessment, RenderOptions(organization="Acme Corp", pdf_variant="pdf/a-3b")).content
    reader = pdf_reader(content)
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b"pdfaid:part" in xmp.stream.get_data() or "pdfaid" in str(xmp.stream.get_data())
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_same_assessment_gives_the_same_bytes(pdf: bytes, assessment: Assessment) -> None:
    assert render_pdf(assessment, OPTIONS).content == pdf


def test_pdf_and_html_twins_from_one_context_equal_the_separate_renders(pdf: bytes, assessment: Assessment) -> None:
    # Packs render both from one context; the bytes must not depend on that.
    twin_pdf, twin_html = render_pdf_and_html(assessment, OPTIONS)
    assert twin_pdf == pdf
    assert twin_html == render_html(assessment, OPTIONS, mode="html").encode("utf-8")
    assert b'class="mode-html"' in twin_html


def test_report_length_is_bounded_by_the_summary_design() -> None:
    small = OutputFormat.HTML.renderer().render(build_assessment(6), OPTIONS).decode()
    large = OutputFormat.HTML.renderer().render(build_assessment(400, evidence_per_subject=1), OPTIONS).decode()
    # 400 identities and 1,200 failed findings: the inventory stops at its limit and each probe lists
    # its first instances, so the page grows by far less than the data.
    assert large.count('<tr data-control="') == small.count('<tr data-control="')
    assert large.count("</tr>") < small.count("</tr>") + 260
    assert "more are counted above and listed in full in the JSON assessment" in large
    assert "more instances of" in large
