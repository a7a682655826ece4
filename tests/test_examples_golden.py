"""The example organisation's assessment is a reviewed golden file.

Any change in what the collectors find, how probes decide or how controls are evaluated shows up as a
diff of tests/golden/examples/acme-assessment.json; rewrite it with ``make golden`` and review it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from nhi_test_support import PROJECT

GOLDEN = PROJECT / "tests" / "golden" / "examples" / "acme-assessment.json"
SOURCES = (
    "--inventory", "examples/inventory.yaml",
    "--audit-log", "examples/audit-log.jsonl",
    "--github-export", "examples/github-export",
    "--home", "examples/home",
)  # fmt: skip


@pytest.mark.golden
def test_example_assessment_matches_golden(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative paths, as a user would type them: the recorded options must not depend on the checkout's location.
    monkeypatch.chdir(PROJECT)
    result = run_cli("scan", "examples/acme", *SOURCES, "--format", "json", "--quiet", "--no-config")
    assert result.exit_code in (0, 1), result.output
    if os.environ.get("NHI_EVIDENCE_WRITE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert GOLDEN.is_file(), "run `make golden` to create the golden assessment"
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_golden_assessment_holds_no_absolute_path() -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    assert str(PROJECT) not in text
    assert str(Path.home()) not in text or str(Path.home()) == "/"
