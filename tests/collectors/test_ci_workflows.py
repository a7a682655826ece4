"""The CI workflow collector and the GitHub Actions parsing helpers it is built on."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nhi_test_support import CANARIES, SHARED, canary_leaks

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors import REPOSITORY_COLLECTORS, gha
from nhi_evidence.collectors.ci_workflows import (
    CiWorkflowsCollector,
    actor_gate_kinds,
    load_catalog,
    parse_cli_args,
    parse_settings,
    split_tools,
)
from nhi_evidence.collectors.interface import CollectorOutput, RepoContext
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import Tier
from nhi_evidence.pipeline import ScanRequest, assess
from nhi_evidence.serialize import dumps

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workflows"
CORPUS = SHARED / "corpus"
CORPUS_KINDS = ("workflow-claude", "workflow-codex", "workflow-gemini", "copilot-setup-steps")

MINIMAL = """name: Claude
on:
  pull_request:
permissions:
  contents: read
jobs:
  claude:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@a7e4c51380c42dd89b127f5e5f9be7b54020bc6b
        with:
          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}
"""


def collect(root: Path, files: dict[str, str | bytes], repo: str = "repo") -> CollectorOutput:
    """Write files under root/repo and run the collector over that repository."""
    for rel, content in files.items():
        target = root / repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return CiWorkflowsCollector().collect(RepoContext(FsRepoView(root, repo), fixed_clock(NOW)))


def wf(name: str) -> str:
    return f".github/workflows/{name}"


# -- gha helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({True: {"push": None, "issue_comment": {"types": ["created"]}}}, ["issue_comment", "push"]),
        ({"on": "pull_request_target"}, ["pull_request_target"]),
        ({"on": ["issues", "pull_request"]}, ["issues", "pull_request"]),
        ({"jobs": {}}, []),
        ({True: 5}, []),
    ],
)
def test_workflow_triggers(doc: dict[Any, Any], expected: list[str]) -> None:
    assert sorted(gha.workflow_triggers(doc)) == expected


def test_yaml_1_1_on_key_is_read_as_true_and_handled(tmp_path: Path) -> None:
    out = collect(tmp_path, {wf("a.yml"): MINIMAL})
    (subject,) = out.subjects
    assert subject.facts["triggers"] == ["pull_request"]


@pytest.mark.parametrize(
    ("workflow", "job", "source", "write"),
    [
        ({}, {}, "default", "default"),
        ({"permissions": "write-all"}, {}, "workflow", list(gha.SCOPES)),
        ({"permissions": "read-all"}, {}, "workflow", []),
        ({"permissions": {}}, {}, "workflow", []),
        ({"permissions": {"contents": "write"}}, {"permissions": {"issues": "write"}}, "job", ["issues"]),
        ({"permissions": "write-all"}, {"permissions": {}}, "job", []),
        ({}, {"permissions": {"contents": "read", "id-token": "write"}}, "job", ["id-token"]),
        ({}, {"permissions": None}, "job", []),
    ],
)
def test_resolve_permissions(workflow: dict[str, Any], job: dict[str, Any], source: str, write: Any) -> None:
    permissions = gha.resolve_permissions(workflow, job)
    assert permissions.source == source
    if write == "default":
        assert permissions.is_default
        assert permissions.as_fact()["note"] == gha.DEFAULT_NOTE
        assert "contents" in permissions.write_scopes
    else:
        assert permissions.write_scopes == sorted(write)
        declared = job["permissions"] if "permissions" in job else workflow.get("permissions")
        if isinstance(declared, dict):
            # Naming any scope sets every other scope to none.
            assert all(permissions.scopes[s] == "none" for s in gha.SCOPES if s not in declared)


@pytest.mark.parametrize(
    ("uses", "kind", "pin"),
    [
        ("actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955", "action", "sha"),
        ("anthropics/claude-code-action@v1", "action", "tag"),
        ("anthropics/claude-code-action@v1.0.93", "action", "tag"),
        ("anthropics/claude-code-action@beta", "action", "branch"),
        ("google-github-actions/run-gemini-cli@main", "action", "branch"),
        ("openai/codex/.github/actions/codex@main", "action", "branch"),
        ("actions/checkout@08eba0b", "action", "ref"),
        ("some/action", "action", "none"),
        ("./.github/actions/setup", "local", "local"),
        ("octo/wf/.github/workflows/ci.yml@v2", "reusable", "tag"),
        ("docker://alpine@sha256:" + "a" * 64, "docker", "sha"),
        ("docker://alpine:3.20", "docker", "tag"),
        ("docker://alpine", "docker", "none"),
    ],
)
def test_classify_uses(uses: str, kind: str, pin: str) -> None:
    ref = gha.classify_uses(uses)
    assert (ref.kind, ref.pin) == (kind, pin)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${{ github.event.comment.body }}", ["github.event.comment.body"]),
        (
            "${{ github.event.issue.title || github.event.pull_request.body }}",
            ["github.event.issue.title", "github.event.pull_request.body"],
        ),
        ("x ${{github.head_ref}} y", ["github.head_ref"]),
        ("${{ github.event.pull_request.head.ref }}", ["github.event.pull_request.head.ref"]),
        ("${{ github.event.commits[0].message }}", ["github.event.commits[0].message"]),
        ("${{ github.event.head_commit.author.email }}", ["github.event.head_commit.author.email"]),
        ("${{ toJSON(github.event) }}", ["toJSON(github.event)"]),
        ("${{ github.event.pull_request.number }} ${{ github.repository }}", []),
        ("github.event.comment.body outside an expression", []),
        ("${{ github.event.comment.body_html }}", []),
    ],
)
def test_untrusted_contexts(text: str, expected: list[str]) -> None:
    assert gha.untrusted_contexts(text) == expected


def test_secret_and_var_refs() -> None:
    text = "${{ secrets.A_KEY }} ${{ secrets['OTHER'] }} ${{ vars.MODEL }} secrets.NOT_IN_EXPR ${{ secrets.A_KEY }}"
    assert gha.secret_refs(text) == ["A_KEY", "OTHER"]
    assert gha.var_refs(text) == ["MODEL"]


def test_split_tools_keeps_parenthesised_rules_whole() -> None:
    assert split_tools("Bash(git add .),Bash(npm run test)\n Read, Edit") == [
        "Bash(git add .)",
        "Bash(npm run test)",
        "Read",
        "Edit",
    ]


def test_parse_cli_args() -> None:
    parsed = parse_cli_args(
        '--model x --allowedTools "Bash(gh pr:*)" Read --permission-mode bypassPermissions',
        ("--allowedTools", "--allowed-tools"),
        ("--dangerously-skip-permissions",),
        "--permission-mode",
    )
    assert parsed["allowed_tools"] == ["Bash(gh pr:*)", "Read"]
    assert parsed["bypass"] is True
    assert parsed["permission_mode"] == "bypassPermissions"


def test_parse_settings_accepts_jsonc_and_never_echoes_content() -> None:
    assert parse_settings('{"permissions": {"allow": ["Read",],}, // c\n}')["permissions"]["allow"] == ["Read"]
    broken = parse_settings('{"permissions": ' + CANARIES["openai-api-key"])
    assert broken["error"]
    assert not canary_leaks(json.dumps(broken))


def test_catalog_lists_the_required_assistants() -> None:
    catalog = load_catalog()
    names = {spec.uses for spec in catalog.actions}
    assert {
        "anthropics/claude-code-action",
        "anthropics/claude-code-base-action",
        "openai/codex-action",
        "openai/codex/.github/actions/codex",
        "google-github-actions/run-gemini-cli",
    } <= names
    assert {cli.name for cli in catalog.cli} == {"claude", "codex", "gemini"}
    # Every action and CLI must pass the cheap pre-parse test, or it would never be parsed.
    for spec in catalog.actions:
        assert catalog.may_run_assistant(spec.uses.encode())
    for cli in catalog.cli:
        assert catalog.may_run_assistant(cli.name.encode())


@pytest.mark.parametrize(
    ("line", "cli"),
    [
        ('claude -p "fix it"', "claude"),
        ("npx -y @anthropic-ai/claude-code@2.0.14 --print hello", "claude"),
        ('codex exec "review"', "codex"),
        ("codex e --full-auto x", "codex"),
        ('gemini --prompt "triage"', "gemini"),
        ("claude --version", None),
        ("echo codex", None),
        ("npm i -g @anthropic-ai/claude-code", None),
    ],
)
def test_cli_patterns(line: str, cli: str | None) -> None:
    hits = [c.name for c in load_catalog().cli if c.pattern.search(line)]
    assert hits == ([cli] if cli else [])


# -- collector ---------------------------------------------------------------------------------------


def test_registered_with_workflow_marker() -> None:
    assert CiWorkflowsCollector in REPOSITORY_COLLECTORS
    assert ".github/workflows/" in CiWorkflowsCollector.marker_paths


def test_one_subject_per_assistant_job_and_none_for_other_jobs(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """  lint:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint
  cli:
    runs-on: ubuntu-latest
    steps:
      - run: codex exec --sandbox read-only "explain"
"""
    )
    out = collect(
        tmp_path, {wf("ai.yml"): text, wf("ci.yml"): "on: push\njobs: {build: {runs-on: x, steps: [{run: make}]}}\n"}
    )
    assert sorted(s.facts["job"]["id"] for s in out.subjects) == ["claude", "cli"]
    assert all(s.kind == "ci-workflow" for s in out.subjects)
    assert {e.source for e in out.evidence} == {"repo/.github/workflows/ai.yml"}
    assert out.counts["ci-workflows.without_assistant"] == 1
    assert out.counts["ci-workflows.assistant_jobs"] == 2


def test_workflow_without_assistant_words_is_not_parsed(tmp_path: Path) -> None:
    # Malformed YAML that names no assistant: proof that it was skipped before parsing.
    out = collect(tmp_path, {wf("broken.yml"): "jobs: [unclosed\n", wf("ai.yml"): MINIMAL})
    assert not out.errors
    assert len(out.subjects) == 1
    assert out.counts["ci-workflows.without_assistant"] == 1


BAD_INPUTS = {
    "malformed.yml": ("name: claude\njobs: {a: [\n", "invalid YAML"),
    "empty.yml": ("# claude\n", "top level"),
    "blank.yml": ("   \n", None),
    "list.yml": ("- claude\n- codex\n", "top level"),
    "scalar.yml": ("claude\n", "top level"),
    "jobs-list.yml": ("on: push\njobs:\n  - claude\n", "`jobs`"),
    "no-jobs.yml": ("name: claude\non: push\n", "`jobs`"),
    "steps-map.yml": ("on: push\njobs:\n  a:\n    steps:\n      uses: anthropics/claude-code-action@v1\n", "`steps`"),
    "job-scalar.yml": ("on: push\njobs:\n  a: claude\n", "not a mapping"),
    "invalid-utf8.yml": (b"name: claude\n\xff\xfe\n", "invalid UTF-8"),
    "billion-laughs.yml": (
        "claude: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"l{i}: &l{i} [{', '.join(['*' + ('a' if i == 0 else f'l{i - 1}')] * 9)}]\n" for i in range(8))
        + "jobs: {}\n",
        "more than",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_a_recorded_error_naming_the_file_and_the_scan_goes_on(tmp_path: Path, name: str) -> None:
    content, message = BAD_INPUTS[name]
    out = collect(tmp_path, {wf(name): content, wf("zz-good.yml"): MINIMAL})
    assert [s.facts["workflow"]["path"] for s in out.subjects] == ["repo/.github/workflows/zz-good.yml"]
    if name == "blank.yml":
        # No assistant word: skipped before parsing, like every workflow without an assistant.
        assert not out.errors
        return
    (error,) = out.errors
    assert error.path == f"repo/.github/workflows/{name}"
    assert error.message.startswith(f"repo/.github/workflows/{name}")
    assert message is not None
    assert message in error.message
    assert "claude:" not in error.message
    assert "[x, x" not in error.message


def test_unreadable_folder_and_oversized_file(tmp_path: Path) -> None:
    big = MINIMAL + "# " + "x" * 100 + "\n"
    for rel, content in {wf("big.yml"): big}.items():
        (tmp_path / "repo" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "repo" / rel).write_text(content, encoding="utf-8")
    view = FsRepoView(tmp_path, "repo", max_bytes=200)
    out = CiWorkflowsCollector().collect(RepoContext(view, fixed_clock(NOW)))
    assert not out.subjects
    (skip,) = out.skips
    assert skip.path == "repo/.github/workflows/big.yml"
    assert "size cap" in skip.reason


def test_symlink_out_of_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(MINIMAL, encoding="utf-8")
    root = tmp_path / "scan"
    (root / "repo" / ".github" / "workflows").mkdir(parents=True)
    (root / "repo" / ".github" / "workflows" / "link.yml").symlink_to(outside)
    out = CiWorkflowsCollector().collect(RepoContext(FsRepoView(root, "repo"), fixed_clock(NOW)))
    assert not out.subjects
    assert [s.path for s in out.skips] == ["repo/.github/workflows/link.yml"]


def test_facts_of_a_risky_job(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "acme" / "ci-bot", tmp_path / "ci-bot")
    out = CiWorkflowsCollector().collect(RepoContext(FsRepoView(tmp_path, "ci-bot"), fixed_clock(NOW)))
    (job,) = [s for s in out.subjects if s.facts["job"]["id"] == "claude"]
    facts = job.facts
    assert facts["untrusted_triggers"] == ["issue_comment", "issues"]
    assert facts["permissions"]["source"] == "workflow"
    assert facts["permissions"]["write"] == ["contents", "id-token", "issues", "pull-requests"]
    assert facts["id_token_write"] is True
    assert {(s["name"], s["where"], s["api_key"]) for s in facts["secrets"]} >= {
        ("ANTHROPIC_API_KEY", "job-env", True),
        ("ANTHROPIC_API_KEY", "step-input", True),
        ("BOT_PAT", "step-input", False),
    }
    assert {(f["context"], f["sink"]) for f in facts["untrusted_flows"]} == {
        ("github.event.comment.body", "prompt"),
        ("github.event.issue.title", "run"),
    }
    (assistant,) = facts["assistants"]
    assert assistant["allowed_tools"] is None
    assert assistant["token_input"] == "BOT_PAT"
    assert facts["trust_gate"]["widened"][0]["input"] == "allowed_non_write_users"
    assert facts["trust_gate"]["gated"] is False
    assert [u["pin"] for u in facts["uses"]] == ["tag", "tag"]
    assert facts["direct_push"][0]["target"] == "default-branch"
    assert job.capability.tier is Tier.RELEASE_ACTOR
    assert any("pushes to the default branch" in reason for reason in job.capability.reasons)


def test_checkout_yaml_1_1_booleans_and_pat(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    steps:\n",
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: no\n"
        "          token: ${{ secrets.BOT_PAT }}\n",
    )
    (subject,) = collect(tmp_path, {wf("a.yml"): text}).subjects
    (checkout,) = subject.facts["checkouts"]
    assert checkout["persist_credentials"] is False
    assert checkout["pat"] is True
    assert checkout["token"] == "BOT_PAT"


@pytest.mark.parametrize(
    ("permissions", "extra", "tier"),
    [
        ("permissions: {}", "", Tier.PIPELINE_ACTOR),  # the API key secret alone
        ("permissions:\n  issues: write", "", Tier.PIPELINE_ACTOR),
        ("permissions:\n  packages: write", "", Tier.RELEASE_ACTOR),
        ("permissions: {}", "      - run: npm publish\n", Tier.RELEASE_ACTOR),
        ("permissions: {}", "      - run: docker buildx build --push -t x .\n", Tier.RELEASE_ACTOR),
        ("permissions: {}", "      - run: git push origin feature\n", Tier.PIPELINE_ACTOR),
    ],
)
def test_capability_tiers(tmp_path: Path, permissions: str, extra: str, tier: Tier) -> None:
    text = MINIMAL.replace("permissions:\n  contents: read", permissions) + extra
    (subject,) = collect(tmp_path, {wf("a.yml"): text}).subjects
    assert subject.capability.tier is tier
    assert subject.capability.reasons


def test_comment_only_job_without_secrets_is_a_repository_actor(tmp_path: Path) -> None:
    text = """on: issues
permissions:
  issues: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@a7e4c51380c42dd89b127f5e5f9be7b54020bc6b
        with:
          use_bedrock: "true"
"""
    (subject,) = collect(tmp_path, {wf("a.yml"): text}).subjects
    assert subject.capability.tier is Tier.REPOSITORY_ACTOR


def test_reusable_workflow_absent_callee_is_a_skip(tmp_path: Path) -> None:
    out = collect(tmp_path, {wf("caller.yml"): (FIXTURES / "reusable" / "caller.yml").read_text(encoding="utf-8")})
    assert not out.subjects
    reasons = sorted(skip.reason for skip in out.skips)
    assert len(reasons) == 2
    assert "calls the reusable workflow repo/.github/workflows/callee.yml" in reasons[0]
    assert "calls the reusable workflow repo/.github/workflows/claude-missing.yml" in reasons[1]


def test_caller_without_assistant_words_is_found_through_its_callee(tmp_path: Path) -> None:
    caller = "on: issue_comment\njobs:\n  run:\n    uses: ./.github/workflows/helper.yml\n    secrets: inherit\n"
    out = collect(
        tmp_path,
        {wf("ci.yml"): caller, wf("helper.yml"): (FIXTURES / "reusable" / "callee.yml").read_text(encoding="utf-8")},
    )
    (subject,) = out.subjects
    assert "issue_comment" in subject.facts["triggers"]
    assert subject.facts["called_by"][0]["path"] == "repo/.github/workflows/ci.yml"
    assert any(s["where"] == "inherit" for s in subject.facts["secrets"])
    # The caller's file is evidence of the subject too.
    assert sorted(e.source for e in out.evidence) == [
        "repo/.github/workflows/ci.yml",
        "repo/.github/workflows/helper.yml",
    ]
    assert len(subject.evidence_ids) == 2


def test_collection_is_deterministic(tmp_path: Path) -> None:
    files = {wf(p.name): p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.yml"))}
    first = collect(tmp_path / "a", files)
    second = collect(tmp_path / "b", files)
    assert [s.id for s in first.subjects] == [s.id for s in second.subjects]
    assert [s.facts for s in first.subjects] == [s.facts for s in second.subjects]
    assert len(first.subjects) == len(files)


def test_canaries_written_in_workflows_never_reach_outputs(tmp_path: Path) -> None:
    c = CANARIES
    text = f"""name: Claude
on: issue_comment
env:
  OPENAI_API_KEY: {c["openai-api-key"]}
  SLACK: {c["slack-token"]}
jobs:
  claude:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: {c["aws-access-key-id"]}
      AUTH: "Bearer {c["bearer-token"]}"
    steps:
      - uses: actions/checkout@v4
        with:
          token: {c["github-token"]}
      - uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: {c["anthropic-api-key"]}
          github_token: {c["github-fine-grained-pat"]}
          prompt: "use {c["openai-api-key"]}"
          settings: |
            {{"env": {{"ANTHROPIC_API_KEY": "{c["anthropic-api-key"]}"}}}}
"""
    broken = f"name: claude\njobs: {{a: [{c['github-token']}\n"
    out = collect(tmp_path, {wf("claude.yml"): text, wf("broken.yml"): broken})
    assert len(out.subjects) == 1
    assert len(out.errors) == 1
    assert out.subjects[0].facts["inline_secrets"]
    assert all("..." in s["fingerprint"] for s in out.subjects[0].facts["inline_secrets"])
    collected = json.dumps([dataclasses.asdict(x) for x in (*out.subjects, *out.evidence, *out.errors)], default=str)
    assert canary_leaks(collected) == []
    # The whole pipeline's JSON output (findings, remediation, errors) is free of them too.
    assessment = assess(ScanRequest(roots=(tmp_path,), jobs=1), fixed_clock(NOW))
    document = dumps(assessment)
    assert "ci-workflow:" in document
    assert canary_leaks(document) == []


# -- corpus --------------------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    return [p for kind in CORPUS_KINDS for p in sorted((CORPUS / kind).glob("*")) if p.is_file()]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="reference corpus not available")
@pytest.mark.parametrize("source", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name[:60]}")
def test_corpus_file_is_processed(tmp_path: Path, source: Path) -> None:
    name = source.name.rsplit("__", 1)[-1]
    out = collect(tmp_path, {wf(name): source.read_bytes()})
    shown = f"repo/.github/workflows/{name}"
    if source.parent.name == "copilot-setup-steps":
        # Copilot's setup steps run no assistant here: counted, not collected.
        assert not out.subjects
        assert not out.errors
        assert out.counts["ci-workflows.without_assistant"] == 1
        return
    outcomes = [s.path for s in out.subjects] + [e.path for e in out.errors] + [k.path for k in out.skips]
    assert shown in outcomes
    for subject in out.subjects:
        facts = subject.facts
        assert facts["assistants"], subject.name
        assert facts["permissions"]["source"] in ("job", "workflow", "caller", "default")
        assert subject.capability.tier.rank >= Tier.LOCAL_ACTOR.rank
        assert json.dumps(dataclasses.asdict(subject), default=str)


@pytest.mark.parametrize(
    ("condition", "kinds"),
    [
        ('contains(fromJSON(\'["OWNER","MEMBER"]\'), github.event.comment.author_association)', ["author-association"]),
        ("github.actor == 'octocat'", ["actor-allowlist"]),
        ('contains(fromJSON(\'["a","b"]\'), github.actor)', ["actor-allowlist"]),
        ("github.actor != 'dependabot[bot]'", []),
        ("contains(github.event.pull_request.labels.*.name, 'ai')", ["label"]),
        ("github.event.pull_request.head.repo.fork == false", ["not-fork"]),
        ("github.event.sender.type == 'User'", ["sender-type"]),
        ("contains(github.event.comment.body, '@claude')", []),
        ("", []),
    ],
)
def test_actor_gate_kinds(condition: str, kinds: list[str]) -> None:
    assert actor_gate_kinds(condition) == kinds
