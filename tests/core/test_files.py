"""RepoView refuses what a scanner must not follow or read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nhi_evidence.files import FsRepoView, SourceSkipped, SourceUnreadable


@pytest.fixture
def root(tmp_path: Path) -> Path:
    repo = tmp_path / "org" / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".claude" / "settings.json").write_text("{}")
    return tmp_path / "org"


def test_reads_a_regular_file(root: Path) -> None:
    view = FsRepoView(root, "repo")
    assert view.read(".claude/settings.json") == b"{}"
    assert view.display(".claude/settings.json") == "repo/.claude/settings.json"
    assert FsRepoView(root, "repo", root_label="org").display(".mcp.json") == "org/repo/.mcp.json"


def test_absent_file_raises_file_not_found(root: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FsRepoView(root, "repo").read(".mcp.json")


def test_symlink_leaving_the_root_is_not_followed(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    os.symlink(outside, root / "repo" / ".mcp.json")
    os.symlink("/etc", root / "repo" / "etc-link")
    view = FsRepoView(root, "repo")
    with pytest.raises(SourceSkipped, match="leaves the scanned root"):
        view.read(".mcp.json")
    with pytest.raises(SourceSkipped, match="leaves the scanned root"):
        view.read("etc-link/passwd")


def test_symlink_inside_the_root_is_followed(root: Path) -> None:
    os.symlink("settings.json", root / "repo" / ".claude" / "alias.json")
    assert FsRepoView(root, "repo").read(".claude/alias.json") == b"{}"


def test_symlink_loop_is_skipped(root: Path) -> None:
    os.symlink("b.json", root / "repo" / "a.json")
    os.symlink("a.json", root / "repo" / "b.json")
    with pytest.raises(SourceSkipped):
        FsRepoView(root, "repo").read("a.json")


def test_fifo_is_skipped_without_blocking(root: Path) -> None:
    os.mkfifo(root / "repo" / ".mcp.json")
    with pytest.raises(SourceSkipped, match="not a regular file"):
        FsRepoView(root, "repo").read(".mcp.json")


def test_device_file_is_skipped(tmp_path: Path) -> None:
    view = FsRepoView(Path("/dev"), "")
    with pytest.raises(SourceSkipped, match="not a regular file"):
        view.read("null")


def test_file_over_the_cap_is_skipped_even_when_sparse(root: Path) -> None:
    big = root / "repo" / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)  # 2 GB sparse: nothing is read
    with pytest.raises(SourceSkipped, match="larger than the size cap"):
        FsRepoView(root, "repo").read("big.json")


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not bind root")
def test_unreadable_file_is_an_error(root: Path) -> None:
    path = root / "repo" / ".claude" / "settings.json"
    path.chmod(0)
    with pytest.raises(SourceUnreadable, match="permission denied"):
        FsRepoView(root, "repo").read(".claude/settings.json")


def test_discovery_skips_audit_packs(tmp_path: Path) -> None:
    from nhi_evidence.discovery import find_repositories

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    pack = tmp_path / "evidence" / "2026-Q4"
    (pack / "evidence" / "repo" / ".claude").mkdir(parents=True)
    (pack / "evidence" / "repo" / ".claude" / "settings.json").write_text("{}")
    (pack / "manifest.json").write_text("{}")
    (pack / "assessment.json").write_text("{}")
    found = find_repositories(tmp_path, [".claude/settings.json"])
    assert found.repositories == ["repo"]
