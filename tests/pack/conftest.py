"""Packs of the two-period fixture organisation, built once per module through the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from nhi_test_support import files_of

from nhi_evidence.cli import main
from nhi_evidence.clock import fixed_clock, parse_instant
from nhi_evidence.model import Assessment
from nhi_evidence.pipeline import ScanRequest, assess

FIXTURES = Path(__file__).parent / "fixtures"
Q3_NOW = "2026-09-30T12:00:00Z"
Q4_NOW = "2026-12-31T12:00:00Z"


def invoke(*args: str, now: str = Q4_NOW) -> Result:
    """Run the CLI in-process with a fixed clock."""
    return CliRunner().invoke(main, list(args), env={"NHI_EVIDENCE_NOW": now}, catch_exceptions=False)


def invoke_pack_q4(out: Path, jobs: int) -> Result:
    """Run ``pack`` on the Q4 fixture organisation into out with this many processes."""
    return invoke(
        "pack", str(FIXTURES / "org-q4"), "--period", "2026-Q4", "--org", "Acme", "--no-config", "--out", str(out),
        "--jobs", str(jobs),
    )  # fmt: skip


def pack_q4(out: Path, jobs: int) -> dict[str, bytes]:
    """Pack the Q4 fixture organisation into out with this many processes; its files' bytes by path."""
    result = invoke_pack_q4(out, jobs)
    assert result.exit_code == 0, result.output
    return files_of(out)


def assess_q4() -> Assessment:
    """The assessment of the Q4 fixture organisation (in this process, at the Q4 clock)."""
    request = ScanRequest(roots=(FIXTURES / "org-q4",), jobs=1)
    return assess(request, fixed_clock(parse_instant(Q4_NOW)), metadata={"organization": "Acme"})


@dataclass(frozen=True)
class Packs:
    """The Q3 pack, the Q4 pack (chained to Q3, signed, archived) and the key pair."""

    root: Path
    q3: Path
    q4: Path
    q4_archive: Path
    private_key: Path
    public_key: Path


def build_packs(root: Path) -> Packs:
    """Build both packs under root; assert each command succeeded."""
    key = root / "signing.pem"
    result = invoke("keygen", "--out", str(key))
    assert result.exit_code == 0, result.output
    q3, q4 = root / "2026-Q3", root / "2026-Q4"
    common = ("--org", "Acme Corp", "--no-config")
    result = invoke("pack", str(FIXTURES / "org-q3"), "--period", "2026-Q3", "--out", str(q3), *common, now=Q3_NOW)
    assert result.exit_code == 0, result.output
    result = invoke(
        "pack",
        str(FIXTURES / "org-q4"),
        "--period",
        "2026-Q4",
        "--out",
        str(q4),
        "--previous",
        str(q3),
        "--sign-key",
        str(key),
        "--archive",
        *common,
    )
    assert result.exit_code == 0, result.output
    return Packs(root, q3, q4, root / "2026-Q4.tar.gz", key, root / "signing.pub.pem")


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> Packs:
    """Both packs, built once for the module (read-only: copy before changing them)."""
    return build_packs(tmp_path_factory.mktemp("packs"))


@pytest.fixture
def copy_pack(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a pack folder into tmp_path (tests that alter a pack work on a copy)."""

    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target

    return copy
