"""How a collector's output crosses from a scan worker to the parent: pickled, records before documents."""

from __future__ import annotations

import json
import pickle
import pickletools
from pathlib import Path

from nhi_evidence.clock import parse_instant
from nhi_evidence.collectors.interface import CollectorOutput
from nhi_evidence.pipeline import ScanRequest, collect

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"
NOW = parse_instant("2026-11-25T12:00:00Z")


def _acme_output() -> CollectorOutput:
    output, _ = collect(ScanRequest(roots=(ACME,), jobs=1), NOW)
    assert any(e.data for e in output.evidence)
    assert any(s.facts for s in output.subjects)
    return output


def test_pickle_round_trip_keeps_every_record_with_its_documents_and_facts() -> None:
    output = _acme_output()
    back = pickle.loads(pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
    assert back == output
    assert [e.data for e in back.evidence] == [e.data for e in output.evidence]
    assert [s.facts for s in back.subjects] == [s.facts for s in output.subjects]
    # Each record gets its own documents back, not a placeholder shared between records.
    assert all(b.facts is not c.facts for b, c in zip(back.subjects[1:], back.subjects, strict=False) if b.facts)


def test_records_are_pickled_before_any_document() -> None:
    """Every record's id comes before the first parsed document in the pickle stream."""
    output = _acme_output()
    strings = [
        (position, arg)
        for op, arg, position in pickletools.genops(pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))
        if isinstance(arg, str) and "UNICODE" in op.name and position is not None
    ]
    ids = {e.id for e in output.evidence} | {s.id for s in output.subjects}
    last_id = max(position for position, text in strings if text in ids)
    # A string that only a document holds: a key of some evidence record's parsed document.
    keys = {key for e in output.evidence if isinstance(e.data, dict) for key in e.data} - ids
    record_fields = {
        value for record in (*output.evidence, *output.subjects) for value in vars_of(record) if isinstance(value, str)
    }
    document_only = keys - record_fields
    assert document_only
    first_document = min(position for position, text in strings if text in document_only)
    assert last_id < first_document


def vars_of(record: object) -> list[object]:
    """The field values of a slotted record."""
    return [getattr(record, name) for name in record.__slots__]  # type: ignore[attr-defined]


def test_parallel_scan_matches_a_scan_in_one_process(tmp_path: Path) -> None:
    """Enough repositories for worker processes: their pickled outputs give the same records."""
    for index in range(60):
        repo = tmp_path / f"repo-{index:02d}"
        (repo / ".claude").mkdir(parents=True)
        (repo / ".git").mkdir()
        settings = {"permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./.env)"]}, "model": f"m{index}"}
        (repo / ".claude" / "settings.json").write_text(json.dumps(settings))
    one, _ = collect(ScanRequest(roots=(tmp_path,), jobs=1), NOW)
    two, _ = collect(ScanRequest(roots=(tmp_path,), jobs=2), NOW)
    assert len(one.evidence) >= 60
    assert sorted(two.evidence, key=lambda e: e.id) == sorted(one.evidence, key=lambda e: e.id)
    assert sorted(two.subjects, key=lambda s: s.id) == sorted(one.subjects, key=lambda s: s.id)
