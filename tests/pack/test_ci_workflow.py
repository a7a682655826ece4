"""The example GitHub Actions workflow (examples/ci/nhi-evidence.yml) passes the tool's own workflow probes.

nhi-evidence in CI is a non-human identity too: it holds a token and runs on every release. The
collector only makes subjects of jobs that run an AI assistant, so the test adds nhi-evidence's own
command line to the assistant catalog (the catalog is data) and scans the workflow like any other.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from nhi_evidence.collectors import ci_workflows
from nhi_evidence.probes import workflow
from tests.conftest import EXAMPLES
from tests.pack.conftest import invoke

WORKFLOW = EXAMPLES / "ci" / "nhi-evidence.yml"
#: The probe about an assistant's tool allow-list does not apply: nhi-evidence is not a language model
#: agent and has no tools to restrict; its reach is the job's token, which the other probes check.
NOT_APPLICABLE_TO_A_SCANNER = {"ciAssistantHasToolAllowlist"}
FULL_SHA = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


@pytest.fixture
def self_as_assistant(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CI collector treat ``nhi-evidence`` command lines as an agent it inventories."""
    base = ci_workflows.load_catalog()
    spec = ci_workflows.CliSpec(
        name="nhi-evidence",
        assistant="nhi-evidence",
        pattern=re.compile(r"(?:^|[\s;&|(`])nhi-evidence\s+(?:scan|pack|diff|verify|trend)\b"),
    )
    extended = dataclasses.replace(base, cli=(*base.cli, spec), hints=(*base.hints, b"nhi-evidence"))
    monkeypatch.setattr(ci_workflows, "load_catalog", lambda path=None: extended)


def test_example_workflow_passes_the_workflow_probes(tmp_path: Path, self_as_assistant: None) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, repo / ".github" / "workflows" / WORKFLOW.name)
    result = invoke("scan", str(repo), "--format", "json", "--no-config", "--quiet", "--jobs", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    subjects = [s for s in data["subjects"] if s["kind"] == "ci-workflow"]
    assert len(subjects) == 1, "the pack job is inventoried as a CI identity"
    probes = {p.definition.id for p in workflow.PROBES}
    assert len(probes) >= 5, "the workflow probe family is registered"
    results = {f["probe"]: f["outcome"] for f in data["findings"] if f["probe"] in probes}
    assert set(results) == probes, "every workflow probe evaluated the job"
    failed = {p for p, outcome in results.items() if outcome in ("false", "error")} - NOT_APPLICABLE_TO_A_SCANNER
    assert not failed, [f["message"] for f in data["findings"] if f["probe"] in failed]
    for must_hold in ("workflowPermissionsLeastPrivilege", "assistantActionPinnedBySha", "untrustedInputNotInShell"):
        if must_hold in results:
            assert results[must_hold] == "true", must_hold
    assert subjects[0]["capability"]["tier"] in ("advisory", "local-actor"), "a read-only token only"


def test_example_workflow_follows_the_documented_rules() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text())
    triggers = doc.get("on", doc.get(True))
    assert "schedule" in triggers
    assert "release" in triggers
    assert doc["permissions"] == {"contents": "read"}
    for job in doc["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}
        for step in job["steps"]:
            if "uses" in step:
                assert FULL_SHA.match(step["uses"]), step["uses"]
            assert "secrets." not in json.dumps(step), "no secret beyond the job's read-only token"
            assert "${{" not in step.get("run", ""), "event data reaches scripts through env only"
    text = WORKFLOW.read_text()
    assert "actions/upload-artifact@" in text
    assert "nhi-evidence pack" in text
    assert "nhi-evidence diff --git" in text
