"""Constants and helpers shared by test modules (import them from here, not from a conftest)."""

from __future__ import annotations

import os
from pathlib import Path

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


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under folder: its bytes by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def canary_leaks(text: str) -> list[str]:
    """Canary names whose value (or its distinctive body) appears in text."""
    leaks = []
    for name, value in CANARIES.items():
        if value in text or value[8:] in text:
            leaks.append(name)
    return leaks
