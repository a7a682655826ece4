"""The OWASP -> NIST CSF 2.0 crosswalk data and its OSCAL mapping-collection."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.oscal import mapping_collection as mc
from nhi_evidence.oscal.common import NIST_CSF_CATALOG_URL, OscalError

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def crosswalk() -> mc.Crosswalk:
    return mc.load(frameworks=load_frameworks())


def test_shipped_pairs_use_only_ir_8477_relationships_and_known_controls(crosswalk: mc.Crosswalk) -> None:
    frameworks = {f.id: {c.id for c in f.controls} for f in load_frameworks()}
    assert [c.source for c in crosswalk.collections] == ["owasp-nhi-top10-2025", "owasp-agentic-top10-2026"]
    for collection in crosswalk.collections:
        assert collection.target == "nist-csf-2.0"
        for pair in collection.maps:
            assert pair.relationship in mc.RELATIONSHIPS
            assert pair.source in frameworks[collection.source]
            assert pair.target in frameworks["nist-csf-2.0"]
            assert pair.rationale
            assert pair.provenance.startswith("Project analysis")
        # Every item of each OWASP list has at least one CSF pair.
        assert {p.source for p in collection.maps} == frameworks[collection.source]
    assert crosswalk.method == "human"
    assert crosswalk.status == "draft"


def write(tmp_path: Path, relationship: str, target: str = "PR.AA-05") -> Path:
    path = tmp_path / "crosswalk.yaml"
    path.write_text(
        "title: t\ndescription: d\nmethod: human\nmatching-rationale: semantic\nstatus: draft\n"
        "collections:\n  - source: owasp-nhi-top10-2025\n    target: nist-csf-2.0\n    maps:\n"
        f"      - {{source: NHI5, target: {target}, relationship: {relationship}, rationale: r, provenance: p}}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("bad", ["related-to", "equivalent", "no-relationship", "SUBSET-OF"])
def test_a_relationship_outside_the_vocabulary_is_refused_naming_the_file(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, bad)
    with pytest.raises(mc.CrosswalkError) as raised:
        mc.load(path, load_frameworks())
    assert str(path) in str(raised.value)
    assert f"relationship '{bad}'" in str(raised.value)
    assert "NHI5 -> PR.AA-05" in str(raised.value)


def test_an_unknown_control_is_refused(tmp_path: Path) -> None:
    with pytest.raises(mc.CrosswalkError, match=re.escape("control 'PR.AA-99' is not in framework 'nist-csf-2.0'")):
        mc.load(write(tmp_path, "subset-of", "PR.AA-99"), load_frameworks())


def test_the_document_points_at_nist_csf_catalog_and_keeps_rationale(crosswalk: mc.Crosswalk) -> None:
    document = mc.build(crosswalk, load_frameworks(), NOW, "1.2.1", "0.1.0")
    assert document is not None
    body = document["mapping-collection"]
    assert body["provenance"]["method"] == "human"
    assert "the project's own analysis" in body["provenance"]["mapping-description"]
    (nhi, agentic) = body["mappings"]
    assert nhi["source-resource"] == {"type": "catalog", "href": "catalogs/owasp-nhi-top10-2025.json"}
    assert nhi["target-resource"]["href"] == NIST_CSF_CATALOG_URL
    nhi5 = [m for m in nhi["maps"] if m["sources"][0]["id-ref"] == "NHI5"]
    assert [(m["relationship"], m["targets"][0]["id-ref"]) for m in nhi5] == [("subset-of", "PR.AA-05")]
    assert nhi5[0]["remarks"].startswith("Granting NHIs only the permissions")
    assert mc.check_relationships(document) == []
    assert len(agentic["maps"]) == len(crosswalk.collections[1].maps)


def test_check_relationships_flags_a_bad_value(crosswalk: mc.Crosswalk) -> None:
    document = mc.build(crosswalk, load_frameworks(), NOW, "1.2.1", "0.1.0")
    assert document is not None
    document["mapping-collection"]["mappings"][0]["maps"][0]["relationship"] = "related-to"
    bad = mc.check_relationships(document)
    assert len(bad) == 1
    assert "related-to" in bad[0]


def test_only_collections_whose_source_was_assessed_are_written(crosswalk: mc.Crosswalk) -> None:
    csf_only = [f for f in load_frameworks() if f.id == "nist-csf-2.0"]
    assert mc.build(crosswalk, csf_only, NOW, "1.2.1", "0.1.0") is None
    nhi_only = [f for f in load_frameworks() if f.id == "owasp-nhi-top10-2025"]
    document = mc.build(crosswalk, nhi_only, NOW, "1.2.1", "0.1.0")
    assert document is not None
    assert len(document["mapping-collection"]["mappings"]) == 1


def test_oscal_1_1_3_has_no_mapping_model(crosswalk: mc.Crosswalk) -> None:
    with pytest.raises(OscalError, match="no mapping model"):
        mc.build(crosswalk, load_frameworks(), NOW, "1.1.3", "0.1.0")
