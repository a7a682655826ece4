"""``scan --ref`` and ``diff --git``: a repository read at a commit, tag or branch from git objects."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nhi_evidence.files import SourceSkipped
from nhi_evidence.gitref import GitRefError, GitRefView, GitTree
from tests.pack.conftest import FIXTURES, invoke

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _replace_tree(repo: Path, source: Path) -> None:
    shutil.rmtree(repo / "org", ignore_errors=True)
    shutil.copytree(source, repo / "org")


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    """The organisation committed in a monorepo under org/: tag v1.2.0 = Q3 content, v1.3.0 = Q4, plus uncommitted edits.

    Returns the org/ folder (the scanned PATH); its repository folders are found in the tree at the ref.
    """
    repo = tmp_path / "monorepo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _replace_tree(repo, FIXTURES / "org-q3")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1.2.0")
    git(repo, "tag", "v1.2.0")
    _replace_tree(repo, FIXTURES / "org-q4")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1.3.0")
    git(repo, "tag", "v1.3.0")
    # Uncommitted work in the tree must not leak into a scan at a ref (and must stay untouched).
    (repo / "org" / "api" / ".mcp.json").write_text('{"mcpServers": {}}\n')
    return repo / "org"


def _status(repo: Path) -> tuple[str, bytes]:
    return git(repo, "status", "--porcelain"), (repo / "api" / ".mcp.json").read_bytes()


def test_scan_at_a_tag_reads_git_objects_and_leaves_the_tree_untouched(releases: Path) -> None:
    before = _status(releases)
    result = invoke("scan", str(releases), "--ref", "v1.2.0", "--format", "json", "--no-config", "--quiet")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    kinds = sorted(s["kind"] for s in data["subjects"])
    assert "cursor" in kinds, "web/.cursor existed at v1.2.0"
    assert "gemini-cli" not in kinds, "ops/.gemini came in v1.3.0"
    assert data["assessment"]["scope"]["sources"]["ref"] == "v1.2.0"
    mcp = [e for e in data["evidence"] if e["source"] == "api/.mcp.json"]
    committed = git(releases, "show", "v1.2.0:org/api/.mcp.json").encode()
    assert mcp
    assert mcp[0]["sha256"] == hashlib.sha256(committed).hexdigest()
    assert _status(releases) == before


def test_scan_at_a_ref_equals_a_scan_of_the_same_files_on_disk(releases: Path) -> None:
    at_ref = json.loads(
        invoke("scan", str(releases), "--ref", "v1.3.0", "--format", "json", "--no-config", "--quiet").stdout
    )
    on_disk = json.loads(invoke("scan", str(FIXTURES / "org-q4"), "--format", "json", "--no-config", "--quiet").stdout)
    assert [(f["probe"], f["subject"], f["outcome"]) for f in at_ref["findings"]] == [
        (f["probe"], f["subject"], f["outcome"]) for f in on_disk["findings"]
    ]
    assert [(r["control_id"], r["status"]) for r in at_ref["control_results"]] == [
        (r["control_id"], r["status"]) for r in on_disk["control_results"]
    ]


def test_diff_git_compares_two_releases(releases: Path) -> None:
    before = _status(releases)
    result = invoke("diff", "--git", str(releases), "v1.2.0", "v1.3.0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["previous"], data["current"]) == ("v1.2.0", "v1.3.0")
    assert any(f["path"] == "api/.mcp.json" for f in data["new_findings"])
    assert [i["kind"] for i in data["identities_added"]] == ["gemini-cli"]
    gate = invoke("diff", "--git", str(releases), "v1.2.0", "v1.3.0", "--fail-on", "regression", "--severity", "high")
    assert gate.exit_code == 1
    assert _status(releases) == before


def test_subfolder_of_a_repository_is_read_at_the_ref(releases: Path) -> None:
    result = invoke("scan", str(releases / "api"), "--ref", "v1.2.0", "--format", "json", "--no-config", "--quiet")
    assert result.exit_code in (0, 1), result.output
    sources = {e["source"] for e in json.loads(result.stdout)["evidence"]}
    assert ".mcp.json" in sources
    assert not any(s.startswith("web/") for s in sources)


@pytest.mark.parametrize(
    ("ref", "message"), [("v9.9.9", "no commit, tag or branch named"), ("--output=/tmp/x", "not a valid git ref")]
)
def test_bad_refs_are_usage_errors(releases: Path, ref: str, message: str) -> None:
    result = invoke("scan", str(releases), f"--ref={ref}", "--no-config")
    assert result.exit_code == 2
    assert message in result.output


def test_ref_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("scan", str(tmp_path), "--ref", "HEAD", "--no-config")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_symbolic_links_in_the_tree_stay_inside_the_scanned_folder(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    (repo / "inner" / ".claude").mkdir(parents=True)
    (repo / "inner" / ".claude" / "settings.json").write_text("{}")
    (repo / "secret.txt").write_text("outside the scanned folder")
    (repo / "inner" / "inside.json").symlink_to(".claude/settings.json")
    (repo / "inner" / "escape.txt").symlink_to("../secret.txt")
    (repo / "inner" / "loop").symlink_to("loop")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    view = GitRefView(GitTree(repo / "inner", "HEAD"), "")
    assert view.read("inside.json") == b"{}"
    assert view.list_dir("") == [".claude", "escape.txt", "inside.json", "loop"]
    with pytest.raises(SourceSkipped, match="leaves the scanned root"):
        view.read("escape.txt")
    with pytest.raises(SourceSkipped, match="loop"):
        view.read("loop")
    with pytest.raises(FileNotFoundError):
        view.read("absent.json")
    with pytest.raises(SourceSkipped, match="size cap"):
        GitRefView(view.tree, "", max_bytes=1).read(".claude/settings.json")
    with pytest.raises(GitRefError):
        GitTree(repo / "inner", "-x")


def test_pack_at_a_ref_records_the_ref_with_the_other_source_options(releases: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs" / "2026-Q3"
    result = invoke(
        "pack", str(releases), "--ref", "v1.2.0", "--period", "2026-Q3", "--org", "Acme", "--out", str(out),
        "--rotation-days", "30", "--no-config",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sources"]["options"]["ref"] == "v1.2.0"
    assert manifest["sources"]["options"]["rotation_days"] == 30
    assert sorted(manifest["sources"]["repositories"]) == ["api", "web"]
    assert invoke("verify", str(out)).exit_code == 0
