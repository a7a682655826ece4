"""Writing a pack in two processes: the same bytes as one process, and failures reported either way."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nhi_test_support import files_of

from nhi_evidence.pack import build, parallel
from nhi_evidence.pack.manifest import PackPathError
from nhi_evidence.pack.parallel import PartError
from nhi_evidence.renderers import RenderError
from nhi_evidence.renderers.pdf_renderer import PdfRenderer
from nhi_evidence.renderers.sarif import SarifRenderer
from nhi_evidence.sinks import DirectorySink, FileSink, Part
from tests.pack.conftest import assess_q4, invoke_pack_q4, pack_q4

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="no fork start method here")


@needs_fork
@pytest.mark.parametrize("variant", ["separate-reports", "reports-from-one-context", "sharing-the-others"])
def test_two_processes_write_the_same_pack_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    one = pack_q4(tmp_path / "one", 1)
    taken: list[dict[str, object]] = []
    events: list[str] = []
    original_take = build.EvidenceCopies.take
    original_timed = parallel.timed

    def spy(self: build.EvidenceCopies, assessment: object) -> object:
        files = original_take(self, assessment)  # type: ignore[arg-type]
        taken.append(dict(files or {}))
        events.append("take")
        return files

    def timed(part: Part, sink: FileSink) -> None:
        events.append(part.name)
        original_timed(part, sink)

    monkeypatch.setattr(build.EvidenceCopies, "take", spy)
    monkeypatch.setattr(parallel, "timed", timed)
    if variant == "reports-from-one-context":
        # A large organisation's report context is built once for the PDF and the HTML twin.
        monkeypatch.setattr(build, "REPORT_CONTEXT_COST_PER_FINDING", 10.0)
    if variant == "sharing-the-others":
        # Reports estimated free, so this process gets a share of the other parts to write: they
        # come before the copies' hashes are taken, the reports only after.
        monkeypatch.setattr(PdfRenderer, "fixed_cost", 0.0)
    two = pack_q4(tmp_path / "two", 2)
    # With two processes the evidence copies were written during the scan, then joined.
    assert len(taken) == 1
    assert taken[0]
    assert sorted(taken[0]) == sorted(name for name in two if name.startswith("evidence/"))
    assert events[0] == "assessment.json"
    before_take = events[1 : events.index("take")]
    after_take = events[events.index("take") + 1 :]
    assert {"pdf", "pdf and html"} & set(after_take)
    if variant == "sharing-the-others":
        assert before_take
        assert not {"pdf", "html", "pdf and html"} & set(before_take)
    assert one.keys() == two.keys()
    assert "oscal/assessment-results.json" in two
    assert "report.pdf" in two
    for name in one:
        assert one[name] == two[name], name


def _run(parts: list[Part], sink: DirectorySink) -> None:
    """Parts shared as a pack shares them: a balanced share written by a forked child."""
    mine, theirs = parallel.share(parts, 2)
    with parallel.Background(theirs, sink) as child:
        for part in mine:
            parallel.timed(part, sink)
        sink.written.update(child.join())


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
    _run(parts, sink)
    assert sorted(sink.written) == [f"f{i}.txt" for i in range(1, 6)]
    assert all((tmp_path / rel).read_bytes() == rel.encode() for rel in sink.written)
    # The costs were shared: the heaviest part went to one process, the next to the other.
    mine, theirs = parallel.share(parts, 2)
    assert {p.name for p in mine} == {"p5", "p2", "p1"}
    assert {p.name for p in theirs} == {"p4", "p3"}
    # Work a process must do itself counts: with 6 already on the first, the second takes the two
    # heaviest (loads 6 and 9), then the lightest list takes each next part (11 and 10 at the end).
    pinned, other = parallel.share(parts, 2, loads=[6.0, 0.0])
    assert [p.name for p in other] == ["p5", "p4", "p1"]
    assert [p.name for p in pinned] == ["p3", "p2"]
    with pytest.raises(ValueError, match="1 loads given for 2 workers"):
        parallel.share(parts, 2, loads=[1.0])


@needs_fork
@pytest.mark.parametrize("failing", ["p5", "p4"])
def test_a_failing_part_is_reported_from_either_process(tmp_path: Path, failing: str) -> None:
    parts = [Part(f"p{i}", float(i), _writer(f"f{i}.txt", fail=f"p{i}" == failing)) for i in range(1, 6)]
    with pytest.raises(PartError, match=rf"f{failing[1]}\.txt cannot be written"):
        _run(parts, DirectorySink(tmp_path))


@needs_fork
def test_a_defect_in_the_child_is_raised_with_its_traceback(tmp_path: Path) -> None:
    def broken(sink: FileSink) -> None:
        raise KeyError("defect")

    parts = [Part("big", 10.0, _writer("big.txt")), Part("broken", 1.0, broken)]
    with pytest.raises(RuntimeError, match="KeyError: 'defect'"):
        _run(parts, DirectorySink(tmp_path))


@needs_fork
def test_a_render_error_in_a_pack_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: SarifRenderer, *args: object) -> None:
        raise RenderError("the SARIF writer refused")

    monkeypatch.setattr(SarifRenderer, "write", refuse)
    for jobs in (1, 2):
        out = tmp_path / f"pack-{jobs}"
        result = invoke_pack_q4(out, jobs)
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
        _run(parts, DirectorySink(tmp_path))


@needs_fork
def test_a_failing_evidence_copy_written_during_the_scan_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(evidence: object) -> None:
        raise PartError("evidence copy refused")

    monkeypatch.setattr(build, "evidence_document", refuse)
    out = tmp_path / "pack"
    result = invoke_pack_q4(out, 2)
    assert result.exit_code != 0
    assert "evidence copy refused" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pack.partial")]


@needs_fork
def test_evidence_copies_are_joined_only_for_the_evidence_they_were_started_for(tmp_path: Path) -> None:
    from tests.report.builder import build_assessment

    assessment = build_assessment(3)
    with build.EvidenceCopies(tmp_path, jobs=2) as copies:
        copies.start(assessment.evidence[:1])
        assert copies.started
        with pytest.raises(RuntimeError, match="other evidence"):
            copies.take(assessment)
        assert not copies.started


def test_evidence_copies_do_not_start_with_one_job(tmp_path: Path) -> None:
    from tests.report.builder import build_assessment

    assessment = build_assessment(3)
    with build.EvidenceCopies(tmp_path, jobs=1) as copies:
        copies.start(assessment.evidence)
        assert not copies.started
        assert copies.take(assessment) is None
    assert not any(tmp_path.iterdir())


def test_a_deferred_sink_hashes_at_once_and_writes_on_flush(tmp_path: Path) -> None:
    from nhi_evidence.sinks import DeferredSink

    direct = DirectorySink(tmp_path / "direct")
    deferred = DeferredSink(DirectorySink(tmp_path / "deferred", check=build.check_pack_path))
    for sink in (direct, deferred):
        sink.write("evidence/a/b.json", b"{}\n")
        with sink.open("evidence/c.json") as handle:
            handle.write(b"[1, 2]\n")
    assert deferred.written == direct.written
    assert not (tmp_path / "deferred").exists()
    # A refused path fails when the file is given, not when the files are written.
    with pytest.raises(PackPathError):
        deferred.write("../outside.json", b"x")
    deferred.flush()
    assert deferred.target.written == direct.written
    assert (tmp_path / "deferred" / "evidence" / "a" / "b.json").read_bytes() == b"{}\n"


@pytest.fixture(params=["fresh-interpreter", "same-process"])
def writer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How a deferred child writes its files: handed over to a fresh interpreter, or itself when none can start."""
    if request.param == "same-process":
        # No interpreter to start: ``spool.hand_over`` returns and the child writes the files.
        monkeypatch.setattr(sys, "executable", "")
    return str(request.param)


@needs_fork
@pytest.mark.usefixtures("writer")
def test_a_deferred_child_gives_the_hashes_before_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from nhi_evidence.pack import spool

    release = tmp_path / "release"
    original = spool.hand_over

    def held(*args: Any) -> None:
        # The forked child waits here until the test has seen the hashes without the files.
        deadline = time.monotonic() + 30
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        original(*args)

    monkeypatch.setattr(spool, "hand_over", held)
    out = tmp_path / "out"
    parts = [Part(f"p{i}", 1.0, _writer(f"f{i}.txt")) for i in range(3)]
    with parallel.Background(parts, DirectorySink(out), deferred=True) as child:
        hashes = child.hashes()
        assert sorted(hashes) == ["f0.txt", "f1.txt", "f2.txt"]
        assert not any((out / name).exists() for name in hashes)
        release.write_text("go")
        assert child.join() == hashes
    for name, written in hashes.items():
        assert (out / name).read_bytes() == name.encode()
        assert written.size == len(name)


@needs_fork
def test_a_deferred_child_hands_the_files_to_a_fresh_interpreter(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    import logging

    # With the pack's log at DEBUG (as the benchmark sets it), the writer logs its part to standard output.
    log = logging.getLogger("nhi_evidence.pack.parallel")
    level = log.level
    log.setLevel(logging.DEBUG)
    try:
        parts = [Part(f"p{i}", 1.0, _writer(f"dir{i}/f{i}.txt")) for i in range(3)]
        with parallel.Background(parts, DirectorySink(tmp_path), deferred=True) as child:
            hashes = child.hashes()
            pid = child.pid
            assert child.join() == hashes
    finally:
        log.setLevel(level)
    output = capfd.readouterr().out
    assert "pack part writing the 3 files hashed, in a fresh interpreter:" in output
    assert f"in process {pid}\n" in output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.txt")) == sorted(hashes)


@needs_fork
@pytest.mark.usefixtures("writer")
def test_a_file_a_deferred_child_cannot_write_is_an_os_error_here(tmp_path: Path) -> None:
    import errno

    # A file where the copy's folder should be: a real error, whichever process meets it.
    (tmp_path / "d").write_text("in the way")
    parts = [Part("p", 1.0, _writer("d/f.txt"))]
    with parallel.Background(parts, DirectorySink(tmp_path), deferred=True) as child:
        assert list(child.hashes()) == ["d/f.txt"]
        with pytest.raises(OSError, match="File exists") as raised:
            child.join()
    assert raised.value.errno == errno.EEXIST
    assert raised.value.filename == str(tmp_path / "d")


def test_spool_records_read_back_as_written(tmp_path: Path) -> None:
    from nhi_evidence.pack import spool

    files = [("evidence/a.json", b"{}\n"), ("evidence/\u00e9t\u00e9/b.json", b""), ("c", bytes(range(256)) * 300)]
    with (tmp_path / "spool").open("w+b") as handle:
        spool.write_records(files, handle)
        handle.seek(0)
        assert list(spool.read_records(handle)) == files
        # A spool cut short is a defect, never read as a shorter file.
        handle.truncate(handle.tell() - 1)
        handle.seek(0)
        with pytest.raises(ValueError, match="truncated"):
            list(spool.read_records(handle))


#: Changed by a ``prepare`` hook: in the child it must show, in this process never.
_PREPARED: list[str] = []


def _report_prepared(sink: FileSink) -> None:
    sink.write("prepared.txt", ",".join(_PREPARED).encode())


@needs_fork
def test_prepare_runs_in_the_child_before_its_parts_and_never_here(tmp_path: Path) -> None:
    sink = DirectorySink(tmp_path)
    with parallel.Background(
        [Part("report", 1.0, _report_prepared)], sink, prepare=lambda: _PREPARED.append("child")
    ) as child:
        sink.written.update(child.join())
    assert (tmp_path / "prepared.txt").read_bytes() == b"child"
    assert _PREPARED == []


def test_forget_unread_drops_the_facts_and_documents_the_writers_parts_never_read() -> None:
    assessment = assess_q4()
    assert any(s.facts for s in assessment.subjects)
    assert any(e.data is not None for e in assessment.evidence)
    build.forget_unread(assessment)
    assert all(not s.facts for s in assessment.subjects)
    assert all(e.data is None for e in assessment.evidence)


@needs_fork
def test_a_two_process_pack_leaves_this_processs_records_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked writer forgets the facts and documents; the assessment here keeps every one."""
    marker = tmp_path / "forgotten"
    original = build.forget_unread

    def forget(assessment: Any) -> None:
        original(assessment)
        marker.write_text(str(sum(len(s.facts) for s in assessment.subjects)))

    monkeypatch.setattr(build, "forget_unread", forget)
    assessment = assess_q4()
    facts = {s.id: dict(s.facts) for s in assessment.subjects}
    documents = {e.id: e.data for e in assessment.evidence}
    out = tmp_path / "pack"
    with build.staging(out) as staging_dir:
        build.build_pack(staging_dir, out, assessment, build.PackOptions(organization="Acme", jobs=2))
    assert (out / "oscal" / "assessment-results.json").is_file()
    # The writer forgot them (it ran, and saw no facts left) ...
    assert marker.read_text() == "0"
    # ... and this process still has every one.
    assert {s.id: dict(s.facts) for s in assessment.subjects} == facts
    assert {e.id: e.data for e in assessment.evidence} == documents
    assert any(facts.values())


@needs_fork
def test_this_process_gives_its_free_memory_back_before_waiting_for_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its parts done, this process releases what they left while the child, the last to end, runs on."""
    events: list[str] = []
    original_join = parallel.Background.join

    def join(self: parallel.Background) -> object:
        # The evidence copies' child is joined too, last: only the writer of the reports counts here.
        if not all(name.startswith("evidence ") for name in self.names):
            events.append("join")
        return original_join(self)

    monkeypatch.setattr(parallel.Background, "join", join)
    monkeypatch.setattr(build, "release_memory", lambda: events.append("release") or 0)
    pack_q4(tmp_path / "pack", 2)
    # The pack command consumes its assessment: a release once the contract is written (facts and
    # documents), after the PDF part, after the reports (the records), then right before the join.
    assert events[-2:] == ["release", "join"]
    assert events.count("release") == 4


def test_no_part_the_writer_may_get_reads_facts_or_documents(tmp_path: Path) -> None:
    """Every output that skips the digest (the forked writer's share) is the same without facts and documents."""
    whole, forgotten = assess_q4(), assess_q4()
    build.forget_unread(forgotten)
    options = build.PackOptions(organization="Acme", period="2026-Q4")
    extra = {"evidence_hrefs": build.evidence_paths(whole.evidence)}
    written: dict[str, dict[str, bytes]] = {}
    for name, assessment in (("whole", whole), ("forgotten", forgotten)):
        out = tmp_path / name
        sink = DirectorySink(out)
        parts = build._format_parts(assessment, options, dict(extra), quoting_digest=False)
        assert {"oscal", "csv", "sarif", "markdown", "text"} <= {p.name.split("/")[0] for p in parts}
        for part in parts:
            part.write(sink)
        written[name] = files_of(out)
    assert written["whole"].keys() == written["forgotten"].keys()
    assert len(written["whole"]) >= 5
    for rel, content in written["whole"].items():
        assert written["forgotten"][rel] == content, rel
