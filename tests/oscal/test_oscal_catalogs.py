"""Framework catalogs as OSCAL catalogs, and ``frameworks export ID --format oscal``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.model import Framework
from nhi_evidence.oscal import catalogs, validate

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def framework(framework_id: str) -> Framework:
    return next(f for f in load_frameworks() if f.id == framework_id)


def all_controls(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(node.get("controls", []))
    for group in node.get("groups", []):
        found += all_controls(group)
    return found


@pytest.mark.parametrize(
    ("framework_id", "ids"),
    [
        ("owasp-nhi-top10-2025", [f"NHI{n}" for n in range(1, 11)]),
        ("owasp-agentic-top10-2026", [f"ASI{n:02d}" for n in range(1, 11)]),
    ],
)
def test_owasp_catalogs_keep_official_ids_with_attribution_and_cc_by_sa(framework_id: str, ids: list[str]) -> None:
    catalog = catalogs.build(framework(framework_id), NOW, "1.2.1", "0.1.0")["catalog"]
    assert [c["id"] for c in catalog["controls"]] == ids
    resources = catalog["back-matter"]["resources"]
    licence = next(r for r in resources if "Licence" in r["title"])
    assert "CC BY-SA 4.0" in licence["title"]
    assert licence["rlinks"] == [{"href": catalogs.CC_BY_SA_4, "media-type": "text/html"}]
    assert "adaptation" in licence["description"]
    attribution = next(r for r in resources if r["title"].startswith("Attribution"))
    assert "OWASP" in attribution["description"]
    assert all(link["href"].startswith("https://") for link in attribution["rlinks"])
    assert catalog["metadata"]["links"] == [{"href": f"#{licence['uuid']}", "rel": "license"}]
    nhi_label = catalog["controls"][0]["props"][0]
    assert nhi_label["name"] == "label"
    assert nhi_label["value"] in {"NHI1:2025", "ASI01"}


def test_csf_catalog_nests_functions_and_categories() -> None:
    csf = framework("nist-csf-2.0")
    catalog = catalogs.build(csf, NOW, "1.1.3", "0.1.0")["catalog"]
    assert [g["id"] for g in catalog["groups"]] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    protect = next(g for g in catalog["groups"] if g["id"] == "PR")
    assert "PR.AA" in [g["id"] for g in protect["groups"]]
    ids = [c["id"] for c in all_controls(catalog)]
    assert sorted(ids) == sorted(c.id for c in csf.controls)
    assert "PR.AA-05" in ids
    assert "CC BY-SA" not in json.dumps(catalog["back-matter"])


CUSTOM = """id: acme-ai-policy
title: Acme AI assistant policy
version: "3"
publisher: Acme Corp
license: Internal use only.
controls:
  - {id: "1.1", title: Assistants are inventoried}
  - {id: "AI 2", title: Tokens are scoped, summary: Every assistant token is scoped to one repository.}
"""


@pytest.fixture
def custom_mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "extra"
    (folder / "frameworks").mkdir(parents=True)
    (folder / "frameworks" / "acme.yaml").write_text(CUSTOM, encoding="utf-8")
    return folder


def test_frameworks_export_writes_a_valid_catalog_for_a_custom_framework(
    run_cli: Any, custom_mappings: Path, tmp_path: Path
) -> None:
    out = tmp_path / "acme.json"
    result = run_cli(
        "frameworks",
        "export",
        "acme-ai-policy",
        "--format",
        "oscal",
        "--mappings",
        str(custom_mappings),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert validate.schema_errors(document) == []
    controls = document["catalog"]["controls"]
    # Ids that are not OSCAL tokens are made tokens; the official id stays in the label property.
    assert [(c["id"], c["props"][0]["value"]) for c in controls] == [("_1.1", "1.1"), ("AI_2", "AI 2")]
    assert document["catalog"]["metadata"]["last-modified"] == "2026-11-25T12:00:00Z"
    assert "Internal use only." in json.dumps(document["catalog"]["back-matter"])


@pytest.mark.parametrize("version", ["1.2.1", "1.1.3"])
def test_frameworks_export_to_standard_output(run_cli: Any, version: str) -> None:
    result = run_cli("frameworks", "export", "owasp-agentic-top10-2026", "--oscal-version", version)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["catalog"]["metadata"]["oscal-version"] == version
    assert validate.schema_errors(document) == []


def test_frameworks_export_of_an_unknown_id_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli("frameworks", "export", "nope")
    assert result.exit_code == 2
    assert "no framework with id 'nope'" in result.stderr
