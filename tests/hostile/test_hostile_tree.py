"""Hostile input: every trap is refused or recorded, with bounded time and memory, and the scan goes on.

Each case builds a repository holding one trap next to a valid Claude Code settings file, scans it
from the CLI and checks that (1) the scan completes with exit code 0, (2) the trap is named in a skip
or an error, (3) the valid file is still collected, and (4) nothing raw reaches the terminal.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
VALID = json.dumps({"permissions": {"deny": ["Read(./.env)"]}})


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "org" / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".claude" / "settings.json").write_text(VALID)
    return repo


def billion_laughs(repo: Path) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    lines.append("jobs: {x: {steps: [{uses: anthropics/claude-code-action@v1, with: {prompt: *i}}]}}")
    path = repo / ".github" / "workflows" / "bomb.yml"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines))
    return ".github/workflows/bomb.yml"


def deep_json(repo: Path) -> str:
    (repo / ".mcp.json").write_text('{"mcpServers": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return ".mcp.json"


def sparse_2gb(repo: Path) -> str:
    with open(repo / ".mcp.json", "wb") as handle:
        handle.truncate(2 * 1024**3)
    return ".mcp.json"


def fifo(repo: Path) -> str:
    os.mkfifo(repo / ".mcp.json")
    return ".mcp.json"


def device(repo: Path) -> str:
    if os.geteuid() == 0:
        os.mknod(repo / ".mcp.json", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # a /dev/zero node
    else:
        pytest.skip("creating a device node needs root")
    return ".mcp.json"


def symlink_loop(repo: Path) -> str:
    os.symlink(".mcp.json", repo / ".mcp.json")
    return ".mcp.json"


def symlink_to_etc(repo: Path) -> str:
    (repo / ".github").mkdir()
    os.symlink("/etc", repo / ".github" / "workflows")
    os.symlink("/etc/passwd", repo / ".mcp.json")
    return ".mcp.json"


TRAPS: dict[str, Callable[[Path], str]] = {
    "billion-laughs": billion_laughs,
    "deep-json": deep_json,
    "sparse-2gb": sparse_2gb,
    "fifo": fifo,
    "device": device,
    "symlink-loop": symlink_loop,
    "symlink-to-etc": symlink_to_etc,
}


def run_scan(root: Path, *extra: str, drop_dac: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "nhi_evidence", "scan", str(root), "--format", "json", *extra]
    if drop_dac:
        # Root ignores permission bits through CAP_DAC_*; without them it meets them like any user.
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]

    def limit() -> None:  # bounded memory: 1.5 GiB of address space
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))

    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env={**os.environ, "NHI_EVIDENCE_NOW": "2026-11-25T12:00:00Z"},
    )


@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_trap_is_refused_or_recorded(tmp_path: Path, trap: str) -> None:
    repo = make_repo(tmp_path)
    relative = TRAPS[trap](repo)
    done = run_scan(tmp_path / "org")
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    named = [s["path"] for s in data["skips"]] + [e["path"] for e in data["errors"]]
    assert f"repo/{relative}" in named, (named, data["errors"])
    assert not [e for e in data["errors"] if "failed (" in e["message"]]
    assert "repo/.claude/settings.json" in [e["source"] for e in data["evidence"]]
    assert "root:x:0:0" not in done.stdout


def test_file_name_with_newline_and_escape_is_never_echoed_raw(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    hostile = "evil\n\x1b[31mRED\x1b[0m.md"
    agents = repo / ".claude" / "agents"
    agents.mkdir()
    (agents / hostile).write_text("---\nname: x\n---\n")
    (repo / ".claude" / "settings.local.json").write_text("{not json")
    done = subprocess.run(
        [sys.executable, "-m", "nhi_evidence", "scan", str(tmp_path / "org")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NHI_EVIDENCE_NOW": "2026-11-25T12:00:00Z"},
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None, reason="root needs setpriv")
def test_folder_without_read_permission_is_recorded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    closed = repo / ".github"
    (closed / "workflows").mkdir(parents=True)
    (closed / "workflows" / "claude.yml").write_text("on: push\n")
    closed.chmod(0)
    try:
        done = run_scan(tmp_path / "org", "--jobs", "1", drop_dac=os.geteuid() == 0)
    finally:
        closed.chmod(0o755)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    messages = [e["message"] for e in data["errors"]] + [s["reason"] for s in data["skips"]]
    assert any("permission denied" in m for m in messages), data
    assert "repo/.claude/settings.json" in [e["source"] for e in data["evidence"]]
