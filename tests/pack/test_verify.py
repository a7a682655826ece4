"""``nhi-evidence verify``: every altered byte, removed or added file is named; hostile packs are refused."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from nhi_evidence.pack.archive import write_archive
from nhi_evidence.pack.manifest import PackPathError, check_pack_path
from tests.pack.conftest import Packs, invoke


def _pack_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_intact_folder_and_archive_verify_with_and_without_key(packs: Packs) -> None:
    for target in (packs.q4, packs.q4_archive):
        result = invoke("verify", str(target), "--key", str(packs.public_key))
        assert result.exit_code == 0, result.output
        assert "intact" in result.output
        assert "SIGNATURE valid" in result.output
        result = invoke("verify", str(target))
        assert result.exit_code == 0, result.output
        assert "give --key" in result.output
    result = invoke("verify", str(packs.q3), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["intact"] is True
    assert report["signature"] == "absent"


def test_changing_one_byte_of_any_file_fails_and_names_it(packs: Packs, tmp_path: Path) -> None:
    names = _pack_files(packs.q4)
    assert len(names) > 8
    for name in names:
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(packs.q4, work)
        data = bytearray((work / name).read_bytes())
        data[len(data) // 2] ^= 0x01
        (work / name).write_bytes(bytes(data))
        result = invoke("verify", str(work), "--key", str(packs.public_key))
        assert result.exit_code == 1, f"{name}: {result.output}"
        assert "NOT intact" in result.output
        if name == "manifest.json.sig":
            assert "SIGNATURE invalid" in result.output
        elif name != "manifest.json":
            assert f"ALTERED  {name}:" in result.output


def test_removing_any_file_fails_and_names_it(packs: Packs, tmp_path: Path) -> None:
    for name in _pack_files(packs.q4):
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(packs.q4, work)
        (work / name).unlink()
        result = invoke("verify", str(work), "--key", str(packs.public_key))
        assert result.exit_code == 1, f"{name}: {result.output}"
        if name == "manifest.json":
            assert "no manifest.json" in result.output
        elif name == "manifest.json.sig":
            assert "SIGNATURE missing" in result.output
        else:
            assert f"MISSING  {name}" in result.output


def test_an_added_file_is_reported_as_extra(packs: Packs, copy_pack) -> None:
    work = copy_pack(packs.q3)
    (work / "evidence" / "planted.json").write_text("{}")
    result = invoke("verify", str(work))
    assert result.exit_code == 1
    assert "EXTRA    evidence/planted.json" in result.output


def test_signature_by_another_key_is_invalid(packs: Packs, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    assert invoke("keygen", "--out", str(other)).exit_code == 0
    result = invoke("verify", str(packs.q4_archive), "--key", str(tmp_path / "other.pub.pem"))
    assert result.exit_code == 1
    assert "SIGNATURE invalid" in result.output


def test_altered_archive_member_fails(packs: Packs, tmp_path: Path) -> None:
    work = tmp_path / "2026-Q4"
    with tarfile.open(packs.q4_archive) as tar:
        for member in tar:
            handle = tar.extractfile(member)
            if handle is None:
                continue
            target = tmp_path / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(handle.read())
    assessment = work / "assessment.json"
    assessment.write_bytes(assessment.read_bytes().replace(b'"2026-Q4"', b'"2026-Q1"', 1))
    archive = tmp_path / "altered.tar.gz"
    write_archive(work, archive, "2026-Q4", 0)
    result = invoke("verify", str(archive))
    assert result.exit_code == 1
    assert "ALTERED  assessment.json:" in result.output


def _tar_with(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)


@pytest.mark.parametrize(
    ("name", "message"),
    [("../evil.txt", "climbs out of the pack"), ("/tmp/evil.txt", "absolute path"), ("p/../../evil.txt", "climbs out")],
)
def test_hostile_archive_member_names_are_refused(tmp_path: Path, name: str, message: str) -> None:
    manifest = json.dumps({"manifest_version": 1, "files": []}).encode()
    archive = tmp_path / "inner" / "hostile.tar.gz"
    archive.parent.mkdir()
    _tar_with(archive, [(tarfile.TarInfo("p/manifest.json"), manifest), (tarfile.TarInfo(name), b"owned")])
    result = invoke("verify", str(archive))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists() or name != "/tmp/evil.txt"


def test_links_in_an_archive_are_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("p/evidence/x.json")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    archive = tmp_path / "links.tar.gz"
    _tar_with(archive, [(tarfile.TarInfo("p/manifest.json"), b'{"manifest_version": 1, "files": []}'), (link, b"")])
    result = invoke("verify", str(archive))
    assert result.exit_code == 1
    assert "link or special file" in result.output


def test_hostile_manifest_paths_are_refused(packs: Packs, copy_pack) -> None:
    work = copy_pack(packs.q3)
    manifest = json.loads((work / "manifest.json").read_text())
    manifest["files"].append({"path": "../../etc/passwd", "sha256": "0" * 64, "size": 1})
    (work / "manifest.json").write_text(json.dumps(manifest))
    result = invoke("verify", str(work))
    assert result.exit_code == 1
    assert "climbs out of the pack" in result.output


def test_symlink_inside_a_pack_folder_is_refused(packs: Packs, copy_pack) -> None:
    work = copy_pack(packs.q3)
    (work / "evidence" / "link.json").symlink_to("/etc/hostname")
    result = invoke("verify", str(work))
    assert result.exit_code == 1
    assert "symbolic link" in result.output


@pytest.mark.parametrize("path", ["", "/abs", "a/../b", "a//b", "./a", "a\\b", "a\nb", "C:/x"])
def test_check_pack_path_refuses_unsafe_paths(path: str) -> None:
    with pytest.raises(PackPathError):
        check_pack_path(path)


def test_check_pack_path_accepts_plain_relative_paths() -> None:
    assert check_pack_path("evidence/api/.claude/settings.json.json") == "evidence/api/.claude/settings.json.json"


def test_verify_usage_errors(tmp_path: Path) -> None:
    assert invoke("verify", str(tmp_path / "missing")).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = invoke("verify", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "no manifest.json" in result.output


def test_signed_pack_without_its_signature_file_fails_even_without_a_key(packs: Packs, copy_pack) -> None:
    work = copy_pack(packs.q4)
    (work / "manifest.json.sig").unlink()
    result = invoke("verify", str(work))
    assert result.exit_code == 1
    assert "SIGNATURE missing" in result.output


def test_diff_warns_about_a_pack_that_is_not_intact(packs: Packs, copy_pack) -> None:
    work = copy_pack(packs.q3)
    (work / "summary.txt").write_text("edited\n")
    result = invoke("diff", str(work), str(packs.q4))
    assert result.exit_code == 0
    assert "is not intact" in result.stderr
    assert "is not intact" not in invoke("diff", str(packs.q3), str(packs.q4)).stderr
