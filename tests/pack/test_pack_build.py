"""``nhi-evidence pack`` end to end: layout, manifest, chain, redaction, overwrite rules, reproducible archives."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tarfile
from pathlib import Path

from nhi_evidence.renderers import OutputFormat
from tests.conftest import canary_leaks
from tests.pack.conftest import FIXTURES, Q3_NOW, Packs, invoke


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_manifest_lists_every_file_with_its_hash_and_size(packs: Packs) -> None:
    manifest = json.loads((packs.q4 / "manifest.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    assert sorted(listed) == [p for p in _files(packs.q4) if p not in ("manifest.json", "manifest.json.sig")]
    for path, entry in listed.items():
        data = (packs.q4 / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["size"] == len(data), path
    assert manifest["tool"]["name"] == "nhi-evidence"
    assert manifest["tool"]["version"]
    assert manifest["period"] == "2026-Q4"
    assert manifest["organization"] == "Acme Corp"
    assert manifest["created_at"] == "2026-12-31T12:00:00Z"
    assert manifest["sources"]["roots"] == ["org-q4"]
    assert sorted(manifest["sources"]["repositories"]) == ["api", "ops"]
    assert manifest["signature"]["algorithm"] == "ed25519"


def test_pack_layout_holds_every_registered_output(packs: Packs) -> None:
    files = _files(packs.q4)
    assert "assessment.json" in files
    registered = {f.value for f in OutputFormat}
    expected = {"pdf": "report.pdf", "html": "report.html", "oscal": "oscal/assessment-results.json"}
    for fmt, path in expected.items():
        if fmt in registered:
            assert path in files, f"{fmt} is registered but {path} is not in the pack"
    if "pdf" in registered:
        assert (packs.q4 / "report.pdf").read_bytes().startswith(b"%PDF-")
    assessment = json.loads((packs.q4 / "assessment.json").read_text())
    assert assessment["assessment"]["metadata"]["period"] == "2026-Q4"
    evidence_files = [f for f in files if f.startswith("evidence/")]
    assert len(evidence_files) == len(assessment["evidence"]) > 0
    stored = {json.loads((packs.q4 / f).read_text())["id"]: f for f in evidence_files}
    for record in assessment["evidence"]:
        doc = json.loads((packs.q4 / stored[record["id"]]).read_text())
        assert doc["source"] == record["source"]
        assert doc["sha256"] == record["sha256"]


def test_previous_pack_is_chained_by_manifest_hash_and_diffed(packs: Packs) -> None:
    manifest = json.loads((packs.q4 / "manifest.json").read_text())
    q3_hash = hashlib.sha256((packs.q3 / "manifest.json").read_bytes()).hexdigest()
    assert manifest["previous"] == {"manifest_sha256": q3_hash, "period": "2026-Q3", "created_at": Q3_NOW}
    assert json.loads((packs.q3 / "manifest.json").read_text())["previous"] is None
    diff = json.loads((packs.q4 / "diff.json").read_text())
    assert diff["previous"] == "2026-Q3"
    assert diff["current"] == "2026-Q4"
    assert "2026-Q3" in (packs.q4 / "diff.md").read_text()
    if "html" in {f.value for f in OutputFormat}:
        # The report's executive summary quotes the previous pack it was compared with.
        assert "2026-Q3" in (packs.q4 / "report.html").read_text()


def test_no_secret_reaches_any_file_of_the_pack_or_the_archive(packs: Packs) -> None:
    settings = (FIXTURES / "org-q4" / "api" / ".claude" / "settings.json").read_text()
    assert canary_leaks(settings), "the fixture must plant a canary"
    for root in (packs.q3, packs.q4):
        for path in root.rglob("*"):
            if path.is_file():
                assert not canary_leaks(path.read_bytes().decode("latin-1")), path
    with tarfile.open(packs.q4_archive) as tar:
        for member in tar:
            handle = tar.extractfile(member)
            if handle is not None:
                assert not canary_leaks(handle.read().decode("latin-1")), member.name


def test_existing_pack_is_not_overwritten_without_force(packs: Packs, copy_pack, tmp_path: Path) -> None:
    target = copy_pack(packs.q3)
    before = {p: (target / p).read_bytes() for p in _files(target)}
    result = invoke("pack", str(FIXTURES / "org-q4"), "--period", "2026-Q4", "--org", "Acme", "--out", str(target))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert {p: (target / p).read_bytes() for p in _files(target)} == before
    result = invoke(
        "pack", str(FIXTURES / "org-q4"), "--period", "2026-Q4", "--org", "Acme", "--out", str(target), "--force"
    )
    assert result.exit_code == 0, result.output
    assert json.loads((target / "manifest.json").read_text())["period"] == "2026-Q4"
    assert not [p for p in os.listdir(tmp_path) if ".partial-" in p or ".old-" in p]


def test_force_never_replaces_a_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    result = invoke(
        "pack", str(FIXTURES / "org-q3"), "--period", "2026-Q3", "--org", "Acme", "--out", str(precious), "--force"
    )
    assert result.exit_code == 2
    assert "not an nhi-evidence pack" in result.output
    assert (precious / "keep.txt").read_text() == "mine"


def _archive(parent: Path, now: str) -> bytes:
    out = parent / "2026-Q3"
    result = invoke(
        "pack",
        str(FIXTURES / "org-q3"),
        "--period",
        "2026-Q3",
        "--org",
        "Acme",
        "--out",
        str(out),
        "--archive",
        now=now,
    )
    assert result.exit_code == 0, result.output
    return (parent / "2026-Q3.tar.gz").read_bytes()


def test_archive_is_byte_identical_across_runs_with_a_fixed_clock(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = _archive(tmp_path / "a", Q3_NOW), _archive(tmp_path / "b", Q3_NOW)
    assert first == second
    assert gzip.decompress(first)  # a valid gzip stream
    assert first[4:8] == b"\x00\x00\x00\x00", "gzip header MTIME must be 0"
    with tarfile.open(tmp_path / "a" / "2026-Q3.tar.gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert all(m.name == "2026-Q3" or m.name.startswith("2026-Q3/") for m in members)
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    assert {m.mtime for m in members} == {1790769600}  # 2026-09-30T12:00:00Z
    assert {m.mode for m in members if m.isfile()} == {0o644}


def test_archive_records_the_clock(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert _archive(tmp_path / "a", Q3_NOW) != _archive(tmp_path / "b", "2026-10-01T00:00:00Z")


def test_bad_signing_key_is_a_usage_error(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    out = tmp_path / "pack"
    result = invoke(
        "pack", str(FIXTURES / "org-q3"), "--period", "2026-Q3", "--org", "A", "--out", str(out), "--sign-key", str(key)
    )
    assert result.exit_code == 2
    assert "not a readable PEM private key" in result.output
    assert "not a key" not in result.output
    assert not out.exists()


def test_period_and_organisation_may_come_from_the_configuration(tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(FIXTURES / "org-q3", org)
    (org / ".nhi-evidence.toml").write_text('organization = "Acme Corp"\nperiod = "2026-Q3"\n')
    out = tmp_path / "pack"
    result = invoke("pack", str(org), "--out", str(out), now=Q3_NOW)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["organization"], manifest["period"]) == ("Acme Corp", "2026-Q3")
    result = invoke("pack", str(org), "--out", str(tmp_path / "other"), "--no-config")
    assert result.exit_code == 2
    assert "needs --period and --org" in result.output


def test_pack_files_lists_what_os_walk_lists_without_following_links(tmp_path: Path) -> None:
    from nhi_evidence.pack.archive import pack_files

    (tmp_path / "evidence" / "repo" / ".github").mkdir(parents=True)
    (tmp_path / "evidence" / "repo" / ".github" / "ci.yml.json").write_text("{}")
    (tmp_path / "assessment.json").write_text("{}")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("x")
    (tmp_path / "evidence" / "to-folder").symlink_to(tmp_path / "outside")
    (tmp_path / "evidence" / "to-file").symlink_to(tmp_path / "assessment.json")
    (tmp_path / "evidence" / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "empty" / "nested").mkdir(parents=True)

    walked = sorted(
        Path(folder, name).relative_to(tmp_path).as_posix()
        for folder, _, files in os.walk(tmp_path, followlinks=False)
        for name in files
    )
    assert pack_files(tmp_path) == walked
    assert pack_files(tmp_path) == [
        "assessment.json",
        "evidence/dangling",
        "evidence/repo/.github/ci.yml.json",
        "evidence/to-file",
        "fifo",
        "outside/secret",
    ]
