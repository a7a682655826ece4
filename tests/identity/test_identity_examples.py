"""The shipped examples (inventory, audit logs, GitHub export, built git histories) exercise the probes both ways."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result
from nhi_test_support import EXAMPLES

from nhi_evidence.probes import activity, governance, identity

#: One organisation gives one result for organisation-wide probes; the other way is covered by tests/github.
SINGLE_ORG = {"patGrantsExpire"}


def test_every_identity_governance_and_activity_probe_comes_out_both_ways(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    histories = tmp_path / "histories"
    subprocess.run([str(EXAMPLES / "make-git-history.sh"), str(histories)], check=True, capture_output=True)
    sources = [
        "--inventory", str(EXAMPLES / "inventory.yaml"),
        "--audit-log", str(EXAMPLES / "audit-log.jsonl"),
        "--audit-log", str(EXAMPLES / "audit-log.csv"),
        "--github-export", str(EXAMPLES / "github-export"),
    ]  # fmt: skip
    seen: dict[str, set[str]] = defaultdict(set)
    for root in (EXAMPLES / "acme", histories):
        result = run_cli("scan", str(root), *sources, "--format", "json")
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        assert data["errors"] == []
        for finding in data["findings"]:
            seen[finding["probe"]].add(finding["outcome"])
    probes = {p.definition.id for family in (identity, governance, activity) for p in family.PROBES}
    missing = {p: sorted(seen[p]) for p in probes - SINGLE_ORG if not {"true", "false"} <= seen[p]}
    assert missing == {}
    assert "false" in seen["patGrantsExpire"]
