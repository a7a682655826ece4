"""Fixtures for the integration tests: a small organisation of repositories with real assistant files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from nhi_test_support import CANARIES

#: Settings that make the Claude Code probes fail (bypassPermissions, Bash(*)), with canary secrets planted.
RISKY_SETTINGS = {
    "permissions": {"defaultMode": "bypassPermissions", "allow": ["Bash(*)"]},
    "env": {"GITHUB_TOKEN": CANARIES["github-token"], "ANTHROPIC_API_KEY": CANARIES["anthropic-api-key"]},
}

#: An inventory whose one identity has no owner and a credential rotated long ago.
INVENTORY = """\
version: 1
identities:
  - id: claude-ci
    kind: github-app
    assistant: claude-code
    status: active
    credentials:
      - {id: ANTHROPIC_API_KEY, type: api-key, created: 2025-01-10, last_rotated: 2025-02-01}
"""


def make_repo(root: Path, name: str, settings: dict[str, Any] | None = None) -> Path:
    """A repository folder with a .git marker and a .claude/settings.json."""
    repo = root / name
    (repo / ".git").mkdir(parents=True)
    (repo / ".claude").mkdir()
    (repo / ".claude" / "settings.json").write_text(
        json.dumps(settings if settings is not None else RISKY_SETTINGS, indent=2) + "\n", encoding="utf-8"
    )
    return repo


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """Two repositories with risky Claude Code settings and an identity inventory beside them."""
    root = tmp_path / "org"
    make_repo(root, "api")
    make_repo(root, "web")
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    return root


@pytest.fixture
def scan(run_cli: Callable[..., Result]) -> Callable[..., Result]:
    """Run ``nhi-evidence scan`` in-process (fixed clock) and return click's Result."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return run_cli("scan", *args, env=env)

    return invoke


def false_findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The false findings of a JSON contract document."""
    return [f for f in document["findings"] if f["outcome"] == "false"]
