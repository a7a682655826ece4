"""The wheel carries the data folders, and the installed tool finds them there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_mappings_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(PROJECT)],
        check=True,
        capture_output=True,
    )
    wheels = list(tmp_path.glob("nhi_evidence-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    for folder in ("mappings", "templates"):
        shipped = sorted(
            str(p.relative_to(PROJECT)) for p in (PROJECT / folder).rglob("*") if p.is_file() and p.name != ".keep"
        )
        assert shipped, folder
        for relative in shipped:
            assert f"nhi_evidence/_data/{relative}" in names, relative
    # The installed layout is found first: unpack and import from it, away from the checkout.
    target = tmp_path / "site"
    zipfile.ZipFile(wheels[0]).extractall(target)
    code = (
        "import nhi_evidence.resources as r, nhi_evidence.frameworks.catalog as c;"
        "print(r.mappings_dir()); print(len(c.load_frameworks()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    location, count = out.stdout.split()
    assert location == str(target / "nhi_evidence" / "_data" / "mappings")
    assert int(count) == 3
