"""Collector control around a pack: frozen records, and cycles collected after the reports."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from nhi_evidence import gcpause
from nhi_evidence.pack import build, parallel
from nhi_evidence.sinks import FileSink, Part
from tests.pack.conftest import pack_q4


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycles(count: int) -> None:
    for _ in range(count):
        first, second = _Node(), _Node()
        first.other, second.other = second, first


def test_release_memory_collects_cycles_left_behind_while_records_stay_frozen() -> None:
    kept = [_Node() for _ in range(100)]
    with gcpause.paused_gc(), gcpause.frozen_heap():
        _cycles(500)
        # Both objects of each cycle and their attribute dicts.
        assert gcpause.release_memory() >= 1000
        assert gcpause.release_memory() == 0
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert len(kept) == 100


def test_a_pack_releases_the_reports_cycles_right_after_writing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF report's cycles are collected before the next part, not at the end of the pack."""
    found: list[tuple[str, int]] = []
    original_timed = parallel.timed

    def spy() -> int:
        found.append(("release", gcpause.release_memory()))
        return found[-1][1]

    def timed(part: Part, sink: FileSink) -> None:
        original_timed(part, sink)
        found.append((part.name, 0))

    monkeypatch.setattr(build, "release_memory", spy)
    monkeypatch.setattr(parallel, "timed", timed)
    # One process, so the spy sees every part: the PDF alone (a small organisation), then the PDF
    # and HTML twins from one context (as at 45,000 findings and more).
    for twins in (False, True):
        if twins:
            monkeypatch.setattr(build, "HTML_TWIN_COST", -1.0)
        found.clear()
        files = pack_q4(tmp_path / f"twins-{twins}", 1)
        assert len(files["report.pdf"]) > 0
        # The other releases (the consumed assessment's records) find few cycles, if any.
        (cycles,) = [i for i, (name, count) in enumerate(found) if name == "release" and count > 1000]
        # The release inside the PDF's part, which ends right after it.
        assert found[cycles + 1][0] in ("pdf", "pdf and html")


def test_release_memory_works_where_the_c_library_has_no_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoTrim:
        def __init__(self, name: object) -> None:
            del name

    gcpause._malloc_trim.cache_clear()
    monkeypatch.setattr(gcpause.ctypes, "CDLL", NoTrim)
    try:
        assert gcpause._malloc_trim() is None
        with gcpause.paused_gc():
            _cycles(10)
            assert gcpause.release_memory() >= 20
    finally:
        gcpause._malloc_trim.cache_clear()
