"""Fixtures shared by the test suite."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nhi_evidence.cli import main

PROJECT = Path(__file__).resolve().parents[1]
#: Reference material beside the project root (read-only).
SHARED = Path(os.environ.get("NHI_EVIDENCE_SHARED", PROJECT.parent / "shared"))
EXAMPLES = PROJECT / "examples"
FIXED_NOW = "2026-11-25T12:00:00Z"

#: Canary tokens of every supported shape. None may appear in any output, log or error message.
CANARIES: dict[str, str] = {
    "github-token": "ghp_CANARYaaaaBBBBccccDDDDeeeeFFFFgggg1234",
    "github-fine-grained-pat": "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",
    "anthropic-api-key": "sk-ant-api03-CANARYaaaaBBBBccccDDDDeeeeFFFFggggHHHHiiii-jjjjKKKK",
    "openai-api-key": "sk-proj-CANARYaaaaBBBBccccDDDDeeeeFFFFggggHHHH",
    "aws-access-key-id": "AKIACANARY1234567890",
    "slack-token": "xoxb-CANARY123456-aaaaBBBBcccc",
    "bearer-token": "CANARYbearerTOKENaaaaBBBBcccc1234",
}


def canary_leaks(text: str) -> list[str]:
    """Canary names whose value (or its distinctive body) appears in text."""
    leaks = []
    for name, value in CANARIES.items():
        if value in text or value[8:] in text:
            leaks.append(name)
    return leaks


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
        return runner.invoke(main, list(args), env={"NHI_EVIDENCE_NOW": FIXED_NOW, **(env or {})}, catch_exceptions=False)

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
