"""Golden OSCAL documents of the sample assessment (OSCAL 1.2.1), produced by the code.

Rewritten with NHI_EVIDENCE_WRITE_GOLDEN=1 (``make golden``); review the diff of tests/golden/oscal/
whenever the OSCAL builders change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nhi_evidence.model import Assessment
from nhi_evidence.oscal.documents import build_documents

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "oscal"


@pytest.mark.golden
def test_oscal_documents_match_golden(assessment: Assessment) -> None:
    files = build_documents(assessment, "1.2.1").files()
    if os.environ.get("NHI_EVIDENCE_WRITE_GOLDEN") == "1":
        for name, content in files.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(content)
    written = sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.json"))
    assert written == sorted(files), "run `make golden` to create the golden OSCAL documents"
    for name, content in files.items():
        assert (GOLDEN / name).read_bytes() == content, name
