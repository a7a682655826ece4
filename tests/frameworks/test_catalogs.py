"""The shipped catalogs equal what the importer builds from the reference files, and resolve as documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhi_evidence.frameworks.catalog import (
    SHIPPED_FRAMEWORKS,
    CatalogError,
    load_crosswalk,
    load_framework,
    load_frameworks,
    resolve_control,
)
from nhi_evidence.frameworks.importer import build
from nhi_evidence.resources import mappings_dir


def test_shipped_catalogs_are_generated_from_the_reference_files(shared_dir: Path) -> None:
    for relative, text in build(shared_dir / "frameworks").items():
        shipped = (mappings_dir() / relative).read_text(encoding="utf-8")
        assert shipped == text, f"mappings/{relative} differs from the reference; rerun the importer"


def test_official_ids_and_titles_match_the_reference(shared_dir: Path) -> None:
    frameworks = {f.id: f for f in load_frameworks()}
    assert tuple(frameworks) == SHIPPED_FRAMEWORKS
    nhi = json.loads((shared_dir / "frameworks/owasp-nhi-top10-2025.json").read_text())
    assert [(c.id, c.title, c.label) for c in frameworks["owasp-nhi-top10-2025"].controls] == [
        (c["id"], c["title"], c["official_id"]) for c in nhi["controls"]
    ]
    asi = json.loads((shared_dir / "frameworks/owasp-agentic-top10-2026.json").read_text())
    assert [(c.id, c.title) for c in frameworks["owasp-agentic-top10-2026"].controls] == [
        (c["id"], c["title"]) for c in asi["controls"]
    ]
    csf = json.loads((shared_dir / "frameworks/nist-csf-2.0.json").read_text())
    shipped = frameworks["nist-csf-2.0"]
    assert [(c.id, c.title, c.group) for c in shipped.controls] == [
        (s["id"], s["text"], s["category"]) for s in csf["subcategories"]
    ]
    assert len(shipped.controls) == 106
    assert len([g for g in shipped.groups if not g.parent]) == 6
    assert len([g for g in shipped.groups if g.parent]) == 22


@pytest.mark.parametrize(
    ("given", "framework", "expected", "note"),
    [
        ("PR.AC-4", "nist-csf-2.0", ["PR.AA-05"], "withdrawn"),
        ("PR.AC-04", "nist-csf-2.0", ["PR.AA-05"], "withdrawn"),
        ("ID.AM-1", "nist-csf-2.0", ["ID.AM-01"], "retained"),
        ("pr.aa-05", "nist-csf-2.0", ["PR.AA-05"], ""),
        ("NHI7", "owasp-nhi-top10-2025", ["NHI7"], ""),
        ("NHI7:2025", "owasp-nhi-top10-2025", ["NHI7"], ""),
        ("ASI03", "owasp-agentic-top10-2026", ["ASI03"], ""),
    ],
)
def test_control_ids_resolve(given: str, framework: str, expected: list[str], note: str) -> None:
    resolutions = resolve_control(given, load_frameworks(), load_crosswalk())
    assert len(resolutions) == 1
    assert resolutions[0].framework.id == framework
    assert [c.id for c in resolutions[0].controls] == expected
    assert note in resolutions[0].note
    if note:
        assert given.upper()[:5] in resolutions[0].note


def test_unknown_id_resolves_to_nothing() -> None:
    assert resolve_control("XX.YY-99", load_frameworks(), load_crosswalk()) == []


def test_every_csf11_id_in_the_reference_resolves(shared_dir: Path) -> None:
    reference = json.loads((shared_dir / "frameworks/nist-csf-1.1-to-2.0.json").read_text())
    frameworks = load_frameworks()
    crosswalk = load_crosswalk()
    csf = next(f for f in frameworks if f.id == "nist-csf-2.0")
    for entry in reference["subcategories"]:
        resolutions = resolve_control(entry["csf11_id"], frameworks, crosswalk)
        expected: list[str] = []
        for target in entry["csf20_targets"]:
            # A category target (GV.PO) stands for its subcategories.
            members = [target] if csf.control(target) else [c.id for c in csf.controls if c.group == target]
            expected.extend(m for m in members if m not in expected)
        assert [c.id for c in resolutions[0].controls] == expected, entry["csf11_id"]
        assert expected, entry["csf11_id"]


def test_csf_controls_note_the_ids_they_replace() -> None:
    csf = next(f for f in load_frameworks() if f.id == "nist-csf-2.0")
    control = csf.control("PR.AA-05")
    assert control is not None
    assert "PR.AC-4" in control.replaces


def test_duplicate_control_id_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("id: x\ntitle: X\nversion: '1'\ncontrols:\n  - id: A-1\n    title: a\n  - id: A-1\n    title: b\n")
    with pytest.raises(CatalogError, match=r"dup\.yaml: line 5: duplicate control id 'A-1'"):
        load_framework(path)


def test_malformed_catalog_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: [unclosed\n")
    with pytest.raises(CatalogError, match=r"bad\.yaml: line \d+: invalid YAML"):
        load_framework(path)
