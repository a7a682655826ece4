"""The example export (examples/github-export) is what ``nhi-evidence github export`` saves from the test API.

With NHI_EVIDENCE_WRITE_GOLDEN=1 the test rewrites the example; otherwise it checks the example is
still what the command produces, so the shipped snapshot and the code cannot drift apart.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from github_fake_api import acme_routes, serve
from nhi_test_support import EXAMPLES

TARGET = EXAMPLES / "github-export"
#: The example organisation: platform-api is well governed; release-tools (where an assistant job deploys) is not.
REPOS = ("platform-api", "release-tools")


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.json"))}


@pytest.mark.golden
def test_example_export_matches_the_export_command(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "github-export"
    with serve(acme_routes(repos=REPOS, pat_grants=True)) as api:
        result = run_cli("github", "export", "--org", "acme", "--out", str(out), env={"GITHUB_API_URL": api.base})
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text())
        # The test server's port changes every run; the example names the public API instead.
        manifest["api_url"] = "https://api.github.com"
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if os.environ.get("NHI_EVIDENCE_WRITE_GOLDEN") == "1":
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(out, TARGET)
    assert files(out) == files(TARGET)
