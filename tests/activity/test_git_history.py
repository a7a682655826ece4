"""Git history: assistant commits, co-author trailers, direct pushes, the read bound, read-only access."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BOT = ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com")
HUMAN = ("Alice", "alice@example.com")


def git(repo: Path, *args: str, author: tuple[str, str] = HUMAN, committer: tuple[str, str] | None = None) -> None:
    committer = committer or author
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_AUTHOR_DATE": "2026-11-01T10:00:00Z",
        "GIT_COMMITTER_DATE": "2026-11-01T10:00:00Z",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo.parent),
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def commit(repo: Path, message: str, author: tuple[str, str] = HUMAN, committer: tuple[str, str] | None = None) -> None:
    (repo / "file.txt").write_text(
        (repo / "file.txt").read_text() + message + "\n" if (repo / "file.txt").exists() else "x\n"
    )
    git(repo, "add", "file.txt", author=author)
    git(repo, "commit", "-q", "-m", message, author=author, committer=committer)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository whose main branch holds every case, with a verdict per commit."""
    repo = tmp_path / "web-app"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Initial commit")  # OK: human
    commit(repo, "Add parser (#12)", author=BOT, committer=("GitHub", "noreply@github.com"))  # OK: squash-merged PR
    commit(repo, "Tweak docs\n\nCo-authored-by: Claude <noreply@anthropic.com>")  # co-authored, pushed by a human
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "Feature work", author=BOT)  # OK: on a branch, merged below
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pull request #13 from acme/feature", "feature")  # OK: merge
    commit(repo, "Hotfix straight to main", author=BOT)  # NOT OK: direct push by the assistant
    return repo


def git_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["probe"] == "noDirectAssistantPushToDefaultBranch"]


def test_direct_assistant_push_is_found_and_pr_merges_are_not(
    history: Path, scan_json: Callable[..., dict[str, Any]]
) -> None:
    data = scan_json(str(history))
    [finding] = git_findings(data)
    assert finding["outcome"] == "false"
    values = finding["values"]
    assert values["direct_pushes"] == 1
    assert values["via_pull_request"] == 1
    assert values["coauthored_direct"] == 1
    assert values["assistant_commits"] == 4
    assert [s["subject"] for s in values["samples"]] == ["Hotfix straight to main"]
    subject = next(s for s in data["subjects"] if s["kind"] == "git-history")
    assert subject["facts"]["assistant_pull_requests"] == [12]
    assert subject["facts"]["limit"] == 5000
    assert subject["facts"]["truncated"] is False


def test_clean_history_is_true(tmp_path: Path, scan_json: Callable[..., dict[str, Any]]) -> None:
    repo = tmp_path / "clean"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Initial commit")
    commit(repo, "Add parser (#12)", author=BOT, committer=("GitHub", "noreply@github.com"))
    [finding] = git_findings(scan_json(str(repo)))
    assert finding["outcome"] == "true"


def test_history_without_assistants_is_not_applicable(tmp_path: Path, scan_json: Callable[..., dict[str, Any]]) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Initial commit")
    [finding] = git_findings(scan_json(str(repo)))
    assert finding["outcome"] == "not-applicable"


def test_the_bound_is_honoured_and_recorded(history: Path, scan_json: Callable[..., dict[str, Any]]) -> None:
    data = scan_json(str(history), "--git-history-limit", "2")
    subject = next(s for s in data["subjects"] if s["kind"] == "git-history")
    assert subject["facts"]["commits_read"] == 2
    assert subject["facts"]["truncated"] is True
    [finding] = git_findings(data)
    assert "limit 2" in finding["message"]


def test_no_git_history_option_and_missing_git(
    history: Path, scan_json: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    data = scan_json(str(history), "--no-git-history")
    assert not [s for s in data["subjects"] if s["kind"] == "git-history"]
    nhi = next(c for c in data["control_results"] if c["framework"] == "nist-csf-2.0" and c["control_id"] == "DE.CM-09")
    assert nhi["status"] == "not-assessed"
    assert "git history" in nhi["reason"]


def test_an_unreadable_git_folder_is_a_skip_not_a_crash(
    tmp_path: Path, scan_json: Callable[..., dict[str, Any]]
) -> None:
    repo = tmp_path / "broken"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("garbage\n")
    data = scan_json(str(repo))
    assert any("Git history not read" in s["reason"] for s in data["skips"])


def test_reading_history_does_not_change_the_repository(
    history: Path, scan_json: Callable[..., dict[str, Any]]
) -> None:
    def snapshot() -> dict[str, tuple[int, float]]:
        return {
            str(p.relative_to(history)): (p.stat().st_size, p.stat().st_mtime)
            for p in history.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    scan_json(str(history))
    assert snapshot() == before


def test_a_symlinked_git_folder_is_not_followed(
    history: Path, tmp_path: Path, scan_json: Callable[..., dict[str, Any]]
) -> None:
    repo = tmp_path / "linked"
    repo.mkdir()
    (repo / ".git").symlink_to(history / ".git")
    data = scan_json(str(repo))
    assert not [s for s in data["subjects"] if s["kind"] == "git-history"]
    assert any("symbolic link" in s["reason"] for s in data["skips"])
