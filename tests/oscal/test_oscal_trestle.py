"""compliance-trestle as a real OSCAL client: ``trestle init``, ``import`` and ``validate -a`` accept every document.

Trestle pins exact versions of other packages, so it lives in its own virtual environment
(``.venv-trestle``, created by ``make trestle-venv``, which ``make test`` depends on) and is never a
dependency of the tool. ``NHI_EVIDENCE_TRESTLE`` may name another trestle executable.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from nhi_evidence.model import Assessment
from nhi_evidence.oscal.common import OSCAL_VERSIONS
from nhi_evidence.oscal.documents import build_documents

PROJECT = Path(__file__).resolve().parents[2]
TRESTLE = Path(os.environ.get("NHI_EVIDENCE_TRESTLE", PROJECT / ".venv-trestle" / "bin" / "trestle"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TRESTLE.is_file(), reason=f"trestle not found at {TRESTLE}: run `make trestle-venv`"),
]


def trestle(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRESTLE), *args], cwd=workspace, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.parametrize("version", OSCAL_VERSIONS)
def test_trestle_imports_and_validates_every_document(assessment: Assessment, tmp_path: Path, version: str) -> None:
    files = build_documents(assessment, version).files()
    documents = tmp_path / "documents"
    for name, content in files.items():
        (documents / name).parent.mkdir(parents=True, exist_ok=True)
        (documents / name).write_bytes(content)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    init = trestle(workspace, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    for number, name in enumerate(sorted(files), 1):
        imported = trestle(workspace, "import", "-f", str(documents / name), "-o", f"doc{number}")
        assert imported.returncode == 0, f"{name}: {imported.stdout}{imported.stderr}"
    validated = trestle(workspace, "validate", "-a")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    output = validated.stdout + validated.stderr
    assert output.count("VALID: Model") == len(files), output
    assert "INVALID" not in output
