"""Writing a pack in two processes: the same bytes as one process, and failures reported either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nhi_evidence.pack import parallel
from nhi_evidence.pack.parallel import PartError
from nhi_evidence.renderers import RenderError
from nhi_evidence.renderers.sarif import SarifRenderer
from nhi_evidence.sinks import DirectorySink, FileSink, Part
from tests.pack.conftest import FIXTURES, invoke

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="no fork start method here")


def _pack(out: Path, jobs: int) -> dict[str, bytes]:
    result = invoke(
        "pack", str(FIXTURES / "org-q4"), "--period", "2026-Q4", "--org", "Acme", "--no-config", "--out", str(out),
        "--jobs", str(jobs),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@needs_fork
def test_two_processes_write_the_same_pack_as_one(tmp_path: Path) -> None:
    one = _pack(tmp_path / "one", 1)
    two = _pack(tmp_path / "two", 2)
    assert one.keys() == two.keys()
    assert "oscal/assessment-results.json" in two
    assert "report.pdf" in two
    for name in one:
        assert one[name] == two[name], name


def _writer(rel: str, fail: bool = False) -> Callable[[FileSink], None]:
    def write(sink: FileSink) -> None:
        if fail:
            raise PartError(f"{rel} cannot be written")
        with sink.open(rel) as handle:
            handle.write(rel.encode())

    return write


@needs_fork
def test_files_written_by_the_child_are_recorded_in_the_parent(tmp_path: Path) -> None:
    sink = DirectorySink(tmp_path)
    parts = [Part(f"p{i}", float(i), _writer(f"f{i}.txt")) for i in range(1, 6)]
    parallel.run(parts, sink, 2)
    assert sorted(sink.written) == [f"f{i}.txt" for i in range(1, 6)]
    assert all((tmp_path / rel).read_bytes() == rel.encode() for rel in sink.written)
    # The costs were shared: the heaviest part went to one process, the next to the other.
    mine, theirs = parallel.share(parts, 2)
    assert {p.name for p in mine} == {"p5", "p2", "p1"}
    assert {p.name for p in theirs} == {"p4", "p3"}


@needs_fork
@pytest.mark.parametrize("failing", ["p5", "p4"])
def test_a_failing_part_is_reported_from_either_process(tmp_path: Path, failing: str) -> None:
    parts = [Part(f"p{i}", float(i), _writer(f"f{i}.txt", fail=f"p{i}" == failing)) for i in range(1, 6)]
    with pytest.raises(PartError, match=rf"f{failing[1]}\.txt cannot be written"):
        parallel.run(parts, DirectorySink(tmp_path), 2)


@needs_fork
def test_a_defect_in_the_child_is_raised_with_its_traceback(tmp_path: Path) -> None:
    def broken(sink: FileSink) -> None:
        raise KeyError("defect")

    parts = [Part("big", 10.0, _writer("big.txt")), Part("broken", 1.0, broken)]
    with pytest.raises(RuntimeError, match="KeyError: 'defect'"):
        parallel.run(parts, DirectorySink(tmp_path), 2)


@needs_fork
def test_a_render_error_in_a_pack_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: SarifRenderer, *args: object) -> None:
        raise RenderError("the SARIF writer refused")

    monkeypatch.setattr(SarifRenderer, "write", refuse)
    for jobs in ("1", "2"):
        out = tmp_path / f"pack-{jobs}"
        result = invoke(
            "pack", str(FIXTURES / "org-q4"), "--period", "2026-Q4", "--org", "Acme", "--no-config", "--out", str(out),
            "--jobs", jobs,
        )  # fmt: skip
        assert result.exit_code != 0
        assert "rendering sarif failed: the SARIF writer refused" in result.output
        assert not out.exists()


@needs_fork
def test_a_child_that_dies_is_reported_with_its_exit_code(tmp_path: Path) -> None:
    import os

    def die(sink: FileSink) -> None:
        os._exit(3)

    parts = [Part("big", 10.0, _writer("big.txt")), Part("dies", 1.0, die)]
    with pytest.raises(PartError, match=r"the process writing dies stopped \(exit code 3\)"):
        parallel.run(parts, DirectorySink(tmp_path), 2)
