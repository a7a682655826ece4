"""An interrupted pack leaves nothing at --out: the process is killed while the pack is being written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import FIXED_NOW

SETTINGS = '{"permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"]}}\n'


def _organisation(root: Path, repositories: int) -> None:
    for index in range(repositories):
        folder = root / f"repo-{index:04d}" / ".claude"
        folder.mkdir(parents=True)
        (folder / "settings.json").write_text(SETTINGS)


def _partials(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(".2026-Q4.partial-")]


def test_killed_pack_leaves_nothing_at_out_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    org = tmp_path / "org"
    _organisation(org, 300)
    parent = tmp_path / "evidence"
    parent.mkdir()
    out = parent / "2026-Q4"
    command = [
        sys.executable,
        "-m",
        "nhi_evidence",
        "pack",
        str(org),
        "--period",
        "2026-Q4",
        "--org",
        "Acme",
        "--out",
        str(out),
        "--archive",
        "--jobs",
        "1",
        "--no-config",
    ]
    env = {**os.environ, "NHI_EVIDENCE_NOW": FIXED_NOW}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_with_content = False
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            staged = _partials(parent)
            # Kill once the staging folder holds files: the pack is being written.
            if staged and any(p.is_file() for p in staged[0].rglob("*")):
                proc.send_signal(signal.SIGKILL)
                killed_with_content = True
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert killed_with_content, "the pack finished (or never started writing) before it could be interrupted"
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    assert not (parent / "2026-Q4.tar.gz").exists()
    assert _partials(parent), "the killed run's staging folder is beside the target, not at it"
    # The next run (over a smaller organisation, to keep the test short) removes the dead run's
    # staging folder and writes the pack.
    for extra in sorted(org.iterdir())[3:]:
        shutil.rmtree(extra)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "manifest.json").is_file()
    assert not _partials(parent)
