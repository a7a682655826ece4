"""Streamed OSCAL documents: the same bytes as whole documents, every item validated, nothing invalid written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhi_evidence.model import Assessment
from nhi_evidence.oscal import stream
from nhi_evidence.oscal.common import OSCAL_VERSIONS, dumps
from nhi_evidence.oscal.documents import build_documents, skeletons, write_documents
from nhi_evidence.oscal.validate import OscalValidationError
from nhi_evidence.sinks import DirectorySink, MemorySink


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_streamed_documents_equal_the_whole_documents(assessment: Assessment, version: str) -> None:
    whole = build_documents(assessment, version)
    sink = MemorySink()
    write_documents(skeletons(assessment, version), sink)
    assert sorted(sink.files) == sorted(whole.documents)
    for name, document in whole.documents.items():
        assert sink.files[name] == dumps(document), name
    # The large arrays really are streams in the skeleton.
    skeleton = skeletons(assessment, version).documents["assessment-results.json"]
    result = skeleton["assessment-results"]["results"][0]
    assert all(isinstance(result[key], stream.Stream) for key in ("observations", "risks", "findings"))


def _observation(uuid: str, title: str) -> dict[str, Any]:
    return {"uuid": uuid, "title": title, "description": "d", "methods": ["TEST"], "collected": "2026-11-25T12:00:00Z"}


def _document(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "assessment-results": {
            "uuid": "1b9cbd8a-5a8f-5b4e-9f43-5c1a3a8a8a01",
            "metadata": {
                "title": "t",
                "last-modified": "2026-11-25T12:00:00Z",
                "version": "1",
                "oscal-version": "1.2.1",
            },
            "import-ap": {"href": "#x"},
            "results": [
                {
                    "uuid": "1b9cbd8a-5a8f-5b4e-9f43-5c1a3a8a8a02",
                    "title": "r",
                    "description": "d",
                    "start": "2026-11-25T12:00:00Z",
                    "reviewed-controls": {"control-selections": [{"include-all": {}}]},
                    "observations": stream.Stream(lambda: iter(items)),
                }
            ],
        }
    }


def test_every_streamed_item_is_validated_not_only_the_first() -> None:
    good = _observation("1b9cbd8a-5a8f-5b4e-9f43-5c1a3a8a8a03", "fine")
    later = [_observation(f"1b9cbd8a-5a8f-5b4e-9f43-5c1a3a8a8b{i:02d}", "fine") for i in range(5)]
    assert json.loads(stream.dumps(_document([good, *later])))["assessment-results"]["results"][0]["observations"]
    bad = _observation("not-a-uuid", "fine")
    with pytest.raises(OscalValidationError, match="not-a-uuid"):
        stream.dumps(_document([good, *later, bad]))
    # A first item is checked with the skeleton.
    with pytest.raises(OscalValidationError):
        stream.dumps(_document([bad]))


def test_an_empty_stream_drops_its_key() -> None:
    document = _document([])
    text = stream.dumps(document, check=False)
    assert "observations" not in json.loads(text)["assessment-results"]["results"][0]
    assert "observations" not in stream.materialise(document)["assessment-results"]["results"][0]


def test_a_document_failing_validation_leaves_no_file(tmp_path: Path) -> None:
    items = [_observation("1b9cbd8a-5a8f-5b4e-9f43-5c1a3a8a8a03", "ok"), _observation("bad", "x")]
    sink = DirectorySink(tmp_path)
    with pytest.raises(OscalValidationError), sink.open("assessment-results.json") as handle:
        stream.write(_document(items), handle)
    assert list(tmp_path.iterdir()) == []
    assert sink.written == {}


def test_the_directory_sink_records_what_it_wrote(tmp_path: Path) -> None:
    import hashlib

    sink = DirectorySink(tmp_path)
    with sink.open("a/b.json") as handle:
        handle.write(b"one ")
        handle.write(b"two")
    assert (tmp_path / "a" / "b.json").read_bytes() == b"one two"
    assert sink.written["a/b.json"].sha256 == hashlib.sha256(b"one two").hexdigest()
    assert sink.written["a/b.json"].size == 7
    # Nothing but the file itself is left in the folder (the temporary name was renamed).
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.json"]


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_the_poam_reuses_the_items_written_in_the_assessment_results(
    assessment: Assessment, version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nhi_evidence.oscal.repeated import RepeatedItems

    reused: list[str] = []
    original = RepeatedItems.take

    def spy(self: RepeatedItems, uuid: str) -> stream.Raw | None:
        found = original(self, uuid)
        if found is not None:
            reused.append(uuid)
        return found

    monkeypatch.setattr(RepeatedItems, "take", spy)
    sink = MemorySink()
    write_documents(skeletons(assessment, version), sink)
    poam = json.loads(sink.files["poam.json"])["plan-of-action-and-milestones"]
    repeated = [item["uuid"] for key in ("observations", "risks") for item in poam.get(key, [])]
    # Every observation and risk of the POA&M came from the bytes of the assessment results...
    assert repeated
    assert sorted(reused) == sorted(repeated)
    # ...and the documents are the bytes of the documents built whole.
    whole = build_documents(assessment, version)
    assert sink.files["poam.json"] == dumps(whole.documents["poam.json"])


def test_the_assessment_results_and_poam_schemas_define_observations_and_risks_alike() -> None:
    poam = "plan-of-action-and-milestones"
    for version in OSCAL_VERSIONS:
        for name in ("observations", "risks"):
            ar_path = ("assessment-results", ("assessment-results", "results", 0, name))
            assert stream.same_items(version, ar_path, (poam, (poam, name)))
        # The comparison is structural: an observation is not a risk.
        assert not stream.same_items(
            version,
            ("assessment-results", ("assessment-results", "results", 0, "observations")),
            (poam, (poam, "risks")),
        )
