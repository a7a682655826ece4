"""Golden Markdown and CSV outputs of a fixed assessment; rewritten with NHI_EVIDENCE_WRITE_GOLDEN=1 (make golden).

Review the diff of tests/golden/integration/ whenever the Markdown or CSV renderer changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from integration.test_markdown_csv import hostile_assessment
from nhi_evidence.renderers import OutputFormat, RenderOptions

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "integration"


@pytest.mark.golden
@pytest.mark.parametrize(("fmt", "name"), [(OutputFormat.MARKDOWN, "summary.md"), (OutputFormat.CSV, "results.csv")])
def test_output_matches_golden(fmt: OutputFormat, name: str) -> None:
    content = fmt.renderer().render(hostile_assessment(), RenderOptions(organization="Acme", period="2026-Q4"))
    path = GOLDEN / name
    if os.environ.get("NHI_EVIDENCE_WRITE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert path.is_file(), "run `make golden` to create the golden files"
    assert content == path.read_bytes()
