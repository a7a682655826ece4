"""Fixtures shared by the test suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from nhi_test_support import CANARIES, EXAMPLES, FIXED_NOW, PROJECT, SHARED, canary_leaks

from nhi_evidence.cli import main

__all__ = ["CANARIES", "EXAMPLES", "FIXED_NOW", "PROJECT", "SHARED", "canary_leaks"]


@pytest.fixture
def shared_dir() -> Path:
    """The reference material folder."""
    assert SHARED.is_dir(), f"reference material not found at {SHARED}"
    return SHARED


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Invoke the CLI in-process with a fixed clock; returns click's Result."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main, list(args), env={"NHI_EVIDENCE_NOW": FIXED_NOW, **(env or {})}, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def scan_json(run_cli: Callable[..., Result]) -> Callable[..., dict[str, Any]]:
    """Scan paths and return the parsed JSON contract."""

    def scan(*args: str) -> dict[str, Any]:
        result = run_cli("scan", *args, "--format", "json")
        assert result.exit_code in (0, 1), result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    return scan
