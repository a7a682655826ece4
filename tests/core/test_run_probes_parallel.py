"""Probes over slices of the subjects in forked workers give the same findings as one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhi_evidence.clock import parse_instant
from nhi_evidence.pipeline import ScanRequest, collect, sources_given
from nhi_evidence.probes import ALL_PROBES, interface, run_probes
from nhi_evidence.probes.interface import ProbeContext

NOW = parse_instant("2026-11-25T12:00:00Z")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme"


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_probes_match_one_process(jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    request = ScanRequest(roots=(EXAMPLE,), jobs=1)
    output, _ = collect(request, NOW)
    subjects = sorted(output.subjects, key=lambda s: s.id)
    assert len(subjects) >= jobs, "the example must give every worker a slice"
    ctx = ProbeContext(subjects, {e.id: e for e in output.evidence}, NOW, {}, sources_given(request))
    serial = run_probes(ALL_PROBES, ctx)
    monkeypatch.setattr(interface, "PARALLEL_SUBJECTS", 1)
    parallel = run_probes(ALL_PROBES, ctx, jobs)
    assert parallel == serial
    assert serial, "the example must produce findings"
