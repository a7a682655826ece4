"""A pack that consumes its assessment (``PackOptions.consume``): the same bytes, with less held on the way."""

from __future__ import annotations

from pathlib import Path

import pydantic_core
import pytest
from nhi_test_support import files_of

from nhi_evidence.model import Assessment
from nhi_evidence.pack import build, parallel
from nhi_evidence.report import render
from nhi_evidence.report.context import Limits, inventory_subjects
from nhi_evidence.sinks import FileSink, Part
from tests.pack.conftest import assess_q4

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="no fork start method here")


def _pack(out: Path, assessment: Assessment, *, consume: bool, jobs: int) -> dict[str, bytes]:
    options = build.PackOptions(organization="Acme", period="2026-Q4", jobs=jobs, consume=consume)
    with build.staging(out) as staging_dir:
        build.build_pack(staging_dir, out, assessment, options)
    return files_of(out)


@pytest.mark.parametrize(
    ("jobs", "twins"),
    [
        (1, False),
        pytest.param(2, True, marks=needs_fork),
    ],
)
def test_a_consumed_assessment_gives_the_same_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, twins: bool
) -> None:
    if twins:
        # The PDF and HTML reports from one context, as at 45,000 findings and more.
        monkeypatch.setattr(build, "HTML_TWIN_COST", -1.0)
    kept, consumed = assess_q4(), assess_q4()
    whole = _pack(tmp_path / "kept", kept, consume=False, jobs=jobs)
    emptied = _pack(tmp_path / "consumed", consumed, consume=True, jobs=jobs)
    assert whole.keys() == emptied.keys()
    assert {"assessment.json", "report.pdf", "report.html", "oscal/assessment-results.json"} <= whole.keys()
    for rel, content in whole.items():
        assert emptied[rel] == content, rel
    # What each pack left of its assessment.
    assert kept.findings
    assert kept.subjects
    assert all(e.data is not None for e in kept.evidence)
    assert (consumed.subjects, consumed.evidence, consumed.findings, consumed.control_results) == ((), (), (), ())


def test_after_the_contract_only_the_listed_identities_keep_their_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts the report's inventory reads stay until the reports; the rest go with the documents."""
    limits = Limits(identities=2)
    monkeypatch.setattr(build, "DEFAULT_LIMITS", limits)
    assessment = assess_q4()
    listed = {subject.id for subject in inventory_subjects(assessment.subjects, limits)}
    assert len(listed) == 2
    assert sum(1 for subject in assessment.subjects if subject.facts) > 2
    seen: list[tuple[str, set[str], bool]] = []
    original = parallel.timed

    def timed(part: Part, sink: FileSink) -> None:
        with_facts = {subject.id for subject in assessment.subjects if subject.facts}
        seen.append((part.name, with_facts, any(e.data is not None for e in assessment.evidence)))
        original(part, sink)

    monkeypatch.setattr(parallel, "timed", timed)
    _pack(tmp_path / "pack", assessment, consume=True, jobs=1)
    # One process: the contract, then the evidence copies, with every fact and document there.
    copies = [entry for entry in seen if entry[0].startswith("evidence ")]
    assert [entry[0] for entry in seen[: 1 + len(copies)]] == ["assessment.json", *(name for name, *_ in copies)]
    for name, with_facts, documents in seen[: 1 + len(copies)]:
        assert len(with_facts) > 2, name
        assert documents, name
    for name, with_facts, documents in seen[1 + len(copies) :]:
        assert with_facts <= listed, name
        assert not documents, name
    assert {name for name, *_ in seen} >= {"assessment.json", "csv", "pdf", "html"}


def test_the_records_are_let_go_before_the_pdfs_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "HTML_TWIN_COST", -1.0)
    assessment = assess_q4()
    assert assessment.findings
    at_layout: list[tuple[int, int, int]] = []
    original = render.html_to_pdf

    def layout(*args: object, **kwargs: object) -> render.PdfResult:
        at_layout.append((len(assessment.subjects), len(assessment.evidence), len(assessment.findings)))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "html_to_pdf", layout)
    files = _pack(tmp_path / "pack", assessment, consume=True, jobs=1)
    assert at_layout == [(0, 0, 0)]
    assert files["report.pdf"].startswith(b"%PDF")


@needs_fork
def test_evidence_copies_let_go_of_the_documents_here_once_started(tmp_path: Path) -> None:
    """The copies' child has the documents: this process drops its own, and the copies are whole."""
    assessment = assess_q4()
    records = {record.id: record for record in assessment.evidence}
    expected = {
        rel: pydantic_core.to_json(build.evidence_document(records[evidence_id]), indent=2) + b"\n"
        for evidence_id, rel in build.evidence_paths(assessment.evidence).items()
    }
    assert any(record.data is not None for record in assessment.evidence)
    out = tmp_path / "pack"
    with build.staging(out) as staging_dir, build.EvidenceCopies(staging_dir, 2, consume=True) as copies:
        copies.start(assessment.evidence)
        assert copies.started
        assert all(record.data is None for record in assessment.evidence)
        assert sorted(copies.take(assessment) or {}) == sorted(expected)
        copies.finish()
        assert {rel: (staging_dir / rel).read_bytes() for rel in expected} == expected
