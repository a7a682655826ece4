"""Workflow probes, table-driven over real-shaped workflow files.

Each file of ``tests/fixtures/workflows/`` states its expected outcomes in header comments
(``# expect: probeId=false``) and marks the lines that decide them with zizmor-style verdict comments
(``# NOT OK: ...`` / ``# OK: ...``). The file is collected as a repository's only workflow, the
workflow probes run over the subjects, and the outcomes must equal the expectations. False findings
must point at a line just below a ``# NOT OK`` comment.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import shutil
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.ci_workflows import CiWorkflowsCollector
from nhi_evidence.collectors.interface import RepoContext
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import Capability, Finding, Location, Outcome, Subject, Tier
from nhi_evidence.probes import ALL_PROBES, workflow
from nhi_evidence.probes.interface import ProbeContext, load_definition, run_probes
from nhi_evidence.resources import mappings_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workflows"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
EXPECT = re.compile(r"^# expect: (\w+)=([\w-]+)\s*$", re.MULTILINE)
WORKFLOW_PROBES = {probe.definition.id: probe for probe in workflow.PROBES}


def cases() -> list[tuple[str, str, str]]:
    table = []
    for path in sorted(FIXTURES.glob("*.yml")):
        for probe, outcome in EXPECT.findall(path.read_text(encoding="utf-8")):
            table.append((path.name, probe, outcome))
    return table


def scan(tmp_path: Path, *files: Path) -> tuple[list[Subject], list[Finding]]:
    folder = tmp_path / "repo" / ".github" / "workflows"
    folder.mkdir(parents=True)
    for file in files:
        shutil.copyfile(file, folder / file.name)
    out = CiWorkflowsCollector().collect(RepoContext(FsRepoView(tmp_path, "repo"), fixed_clock(NOW)))
    assert not out.errors, [e.message for e in out.errors]
    ctx = ProbeContext(out.subjects, {e.id: e for e in out.evidence}, NOW, {}, frozenset({"repository"}))
    return out.subjects, run_probes(list(workflow.PROBES), ctx)


@pytest.mark.parametrize(("fixture", "probe", "expected"), cases())
def test_fixture_outcome(tmp_path: Path, fixture: str, probe: str, expected: str) -> None:
    subjects, findings = scan(tmp_path, FIXTURES / fixture)
    assert len(subjects) == 1
    outcomes = {f.outcome.value for f in findings if f.probe == probe}
    assert outcomes == {expected}, [f.message for f in findings if f.probe == probe]


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.yml")))
def test_false_findings_point_at_a_not_ok_line(tmp_path: Path, fixture: str) -> None:
    lines = (FIXTURES / fixture).read_text(encoding="utf-8").split("\n")
    _, findings = scan(tmp_path, FIXTURES / fixture)
    expected_false = {probe for probe, outcome in EXPECT.findall("\n".join(lines)) if outcome == "false"}
    for finding in findings:
        if finding.probe not in expected_false or finding.outcome is not Outcome.FALSE:
            continue
        assert finding.location is not None
        assert finding.location.line is not None, finding.message
        above = lines[max(0, finding.location.line - 8) : finding.location.line]
        assert any("# NOT OK" in line for line in above), (finding.probe, finding.location.line, finding.message)


def test_every_fixture_expectation_names_a_workflow_probe() -> None:
    table = cases()
    assert table
    assert {probe for _, probe, _ in table} <= set(WORKFLOW_PROBES)


@pytest.mark.parametrize("probe", sorted(WORKFLOW_PROBES))
def test_every_probe_is_both_true_and_false_across_the_fixtures(probe: str) -> None:
    outcomes = {outcome for _, p, outcome in cases() if p == probe}
    assert {"true", "false"} <= outcomes


def test_message_names_the_workflow_job_and_permissions(tmp_path: Path) -> None:
    _, findings = scan(tmp_path, FIXTURES / "perms-contents-write.yml")
    (finding,) = [f for f in findings if f.probe == "workflowPermissionsLeastPrivilege"]
    assert finding.message == (
        "Workflow repo/.github/workflows/perms-contents-write.yml job `claude` gives the assistant "
        "`contents: write` (set at job level)."
    )
    assert finding.location == Location("repo/.github/workflows/perms-contents-write.yml", 10)
    assert "remove contents: write" in finding.remediation


def test_release_probe_names_the_evidence_that_settles_it(tmp_path: Path) -> None:
    _, findings = scan(tmp_path, FIXTURES / "release-environment.yml")
    (finding,) = [f for f in findings if f.probe == "releaseGatedByHumanApproval"]
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "environment `production`" in finding.message
    assert "--github-export with environment protection rules" in finding.message


def test_release_probe_is_not_applicable_below_release_actor(tmp_path: Path) -> None:
    subjects, findings = scan(tmp_path, FIXTURES / "prompt-number-only.yml")
    assert subjects[0].capability.tier is Tier.PIPELINE_ACTOR
    (finding,) = [f for f in findings if f.probe == "releaseGatedByHumanApproval"]
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_called_workflow_inherits_caller_triggers_and_secrets(tmp_path: Path) -> None:
    subjects, findings = scan(tmp_path, FIXTURES / "reusable" / "caller.yml", FIXTURES / "reusable" / "callee.yml")
    (subject,) = subjects
    assert subject.facts["triggers"] == ["issue_comment", "workflow_call"]
    assert subject.facts["permissions"]["source"] == "caller"
    by_probe = {f.probe: f for f in findings}
    assert by_probe["apiKeyScopedToAssistantStep"].outcome is Outcome.FALSE
    assert "secrets: inherit" in by_probe["apiKeyScopedToAssistantStep"].message
    assert by_probe["untrustedTriggerHasActorGate"].outcome is Outcome.TRUE


def test_probes_ignore_subjects_without_workflow_facts() -> None:
    bare = Subject("ci-workflow:x", "ci-workflow", "x", "x", "", Capability(Tier.RELEASE_ACTOR), {})
    ctx = ProbeContext([bare], {}, NOW, {}, frozenset({"repository"}))
    assert run_probes(list(workflow.PROBES), ctx) == []


@pytest.mark.parametrize("probe", sorted(WORKFLOW_PROBES))
def test_definition_file_matches_and_is_mapped_to_all_three_frameworks(probe: str) -> None:
    import yaml

    definition = load_definition(type(WORKFLOW_PROBES[probe]).__module__)
    assert definition.id == probe
    assert definition.kinds == ("ci-workflow",)
    links = yaml.safe_load((mappings_dir() / "links" / "ci-workflows.yaml").read_text(encoding="utf-8"))["links"]
    (entry,) = [link for link in links if link["probe"] == probe]
    frameworks = {control["framework"] for control in entry["controls"]}
    assert frameworks == {"owasp-nhi-top10-2025", "owasp-agentic-top10-2026", "nist-csf-2.0"}
    assert all(control["rationale"].strip() for control in entry["controls"])


def test_workflow_probes_are_registered() -> None:
    registered = {probe.definition.id for probe in ALL_PROBES}
    assert set(WORKFLOW_PROBES) <= registered


def github_repository(name: str, **facts: Any) -> Subject:
    """A GitHub governance subject as collectors/github.py makes it."""
    return Subject(
        f"github-repository:{name}",
        "github-repository",
        f"GitHub repository {name}",
        f"github://repos/{name}",
        name,
        Capability(Tier.ADVISORY),
        {"repository": name, **facts},
    )


def with_github(tmp_path: Path, fixture: str, probe: str, *extra: Subject) -> Finding:
    subjects, _ = scan(tmp_path, FIXTURES / fixture)
    ctx = ProbeContext([*subjects, *extra], {}, NOW, {}, frozenset({"repository", "github"}))
    (finding,) = [f for f in run_probes([WORKFLOW_PROBES[probe]], ctx) if f.subject == subjects[0].id]
    return finding


@pytest.mark.parametrize(
    ("environments", "expected"),
    [
        ([{"name": "production", "required_reviewers": 2, "prevent_self_review": True}], Outcome.TRUE),
        ([{"name": "production", "required_reviewers": 0}], Outcome.FALSE),
        ([{"name": "staging", "required_reviewers": 1}], Outcome.FALSE),
    ],
)
def test_environment_reviewers_from_github_settle_the_release_gate(
    tmp_path: Path, environments: list[dict[str, Any]], expected: Outcome
) -> None:
    repo = github_repository("acme/repo", environments=environments)
    finding = with_github(tmp_path, "release-environment.yml", "releaseGatedByHumanApproval", repo)
    assert finding.outcome is expected
    assert "according to the GitHub settings" in finding.message


def test_github_settings_of_another_repository_do_not_apply(tmp_path: Path) -> None:
    other = github_repository("acme/other", environments=[{"name": "production", "required_reviewers": 2}])
    finding = with_github(tmp_path, "release-environment.yml", "releaseGatedByHumanApproval", other)
    assert finding.outcome is Outcome.NOT_AVAILABLE


class _Facts(dict[str, Any]):
    """Facts a weak reference can follow (the records themselves have slots and no weak references)."""


def test_nothing_keeps_a_runs_subjects_once_its_probes_are_done(tmp_path: Path) -> None:
    """The GitHub settings index lives in the run's context: it goes with the run, facts and all."""
    subjects, _ = scan(tmp_path, FIXTURES / "release-environment.yml")
    repo = github_repository("acme/repo", environments=[{"name": "production", "required_reviewers": 2}])
    tracked = dataclasses.replace(repo, facts=_Facts(repo.facts))
    facts = weakref.ref(tracked.facts)
    ctx = ProbeContext([*subjects, tracked], {}, NOW, {}, frozenset({"repository", "github"}))
    findings = run_probes(list(workflow.PROBES), ctx)
    # The settings were read: the release gate is settled by the repository's environment.
    gate = [f for f in findings if f.probe == "releaseGatedByHumanApproval" and f.subject == subjects[0].id]
    assert [f.outcome for f in gate] == [Outcome.TRUE]
    del ctx, tracked, subjects
    gc.collect()
    assert facts() is None


def test_unreadable_environments_leave_the_gate_not_available(tmp_path: Path) -> None:
    repo = github_repository("acme/repo", unavailable={"environments": "HTTP 403"})
    finding = with_github(tmp_path, "release-environment.yml", "releaseGatedByHumanApproval", repo)
    assert finding.outcome is Outcome.NOT_AVAILABLE


@pytest.mark.parametrize(("default", "expected"), [("read", Outcome.TRUE), ("write", Outcome.FALSE)])
def test_repository_default_token_permissions_from_github(tmp_path: Path, default: str, expected: Outcome) -> None:
    repo = github_repository("acme/repo", workflow_permissions={"default_workflow_permissions": default})
    finding = with_github(tmp_path, "perms-default.yml", "workflowPermissionsLeastPrivilege", repo)
    assert finding.outcome is expected


@pytest.mark.parametrize(("can_approve", "expected"), [(True, Outcome.FALSE), (False, Outcome.TRUE)])
def test_actions_allowed_to_approve_pull_requests(tmp_path: Path, can_approve: bool, expected: Outcome) -> None:
    repo = github_repository(
        "acme/repo",
        workflow_permissions={"default_workflow_permissions": "read", "can_approve_pull_request_reviews": can_approve},
    )
    finding = with_github(tmp_path, "prompt-number-only.yml", "assistantWritesGoThroughReview", repo)
    assert finding.outcome is expected


def test_readme_documents_every_workflow_probe_and_the_collector() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    probes = readme.split("<!-- section: probes -->", 1)[1].split("<!-- end section: probes -->", 1)[0]
    collectors = readme.split("<!-- section: collectors -->", 1)[1].split("<!-- end section: collectors -->", 1)[0]
    for probe in WORKFLOW_PROBES:
        assert f"| `{probe}` | workflow |" in probes
    assert "| `ci-workflows` |" in collectors
