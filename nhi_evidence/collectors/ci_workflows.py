"""GitHub Actions jobs that run an AI assistant: one ``ci-workflow`` subject per such job.

A job runs an assistant when a step ``uses:`` an assistant action listed in ``mappings/ci-actions.yaml``
(anthropics/claude-code-action, openai/codex-action, google-github-actions/run-gemini-cli...) or a
``run:`` script invokes an assistant CLI headless (``claude -p``, ``codex exec``, ``gemini -p``); the
list is data. Workflow files that run no assistant are out of scope: a cheap test on the raw bytes
(none of the assistant words in ``hints``) skips them before parsing, and they are only counted
(``counts["ci-workflows.without_assistant"]``); no evidence record is made for them.

Docs: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax ;
https://docs.github.com/en/actions/reference/security/secure-use ;
https://github.com/anthropics/claude-code-action/blob/main/docs/security.md ;
https://github.com/openai/codex-action ; https://github.com/google-github-actions/run-gemini-cli

Facts of a ``ci-workflow`` subject (JSON-compatible, redacted; paths relative to the scanned root):

``workflow``          ``{"path", "name", "line"}``: the workflow file
``job``               ``{"id", "name", "line", "runs_on"}``
``assistants``        list of ``{"assistant", "via": action|cli, "uses" | "command", "step", "line",
                      "allowed_tools": [...]|None, "disallowed_tools": [...], "blanket_tools": [...],
                      "bypass": bool, "bypass_by": flag or setting|None, "permission_mode": str|None,
                      "prompt_inputs": [...], "rule_line", "token_line",
                      "settings": {"permissions", "tools_core", "mcp_servers", "error"}|None,
                      "sandbox": {input: value}, "unsafe_sandbox": bool, "token_input": secret name|None,
                      "docs_url"}``
``triggers``          sorted event names (a called workflow adds its callers' events)
``push_filters``      ``{"branches", "tags", "branches-ignore", "tags-ignore"}`` of the ``push`` trigger, or None
``untrusted_triggers`` the triggers among ``gha.UNTRUSTED_TRIGGERS``
``trust_gate``        ``{"conditions": [kinds], "builtin": "write-access"|None, "widened": [{"input", "value", "step"}],
                      "gated": bool, "line"}``; kinds: author-association, actor-allowlist, label, not-fork,
                      runtime-permission-check, sender-type (the last alone is not a gate)
``permissions``       ``gha.Permissions.as_fact()``: ``{"scopes", "source": job|workflow|caller|default, "declared",
                      "write", "note"}`` plus ``"line"``; ``source == "default"`` means "potentially write"
``id_token_write``    bool
``secrets``           list of ``{"name", "where": step-input|step-env|run|job-env|workflow-env|job|inherit,
                      "step", "key", "assistant_step": bool, "api_key": bool, "line"}`` (names only)
``inline_secrets``    list of ``facts.secret_record`` for literal credentials written in the file
``vars``              sorted names of ``vars.X`` referenced
``uses``              every ``uses:`` of the job: ``gha.UsesRef.as_fact()`` + ``"step", "line", "assistant"``
``untrusted_flows``   list of ``{"context", "sink": prompt|assistant-input|assistant-env|job-env|workflow-env|run,
                      "step", "key", "line"}``: event text interpolated with ``${{ }}``
``checkouts``         list of ``{"ref", "untrusted_head": bool, "persist_credentials": bool (default true),
                      "token": secret name|None, "pat": bool, "step", "line"}``
``environment``       ``{"name", "line"}`` or None (job ``environment:``)
``publish``           list of ``{"kind", "step", "line"}``: publish, deploy and release steps
``direct_push``       list of ``{"kind", "target": default-branch|branch|tags, "step", "line"}``
``pr_path``           list of ``{"kind", "step", "line"}``: writes proposed as a pull request
``approvals``         list of ``{"kind", "step", "line"}``: steps that approve or merge pull requests
``called_by``         list of ``{"path", "job", "triggers", "secrets_inherit", "line"}`` for reusable workflows
``reusable_call``     ``{"uses", "secrets_inherit", "secrets"}`` when the job itself calls a reusable workflow

Capability tiers (``capability.classify``):
- local-actor: every assistant job (it runs commands on a CI runner);
- repository-actor: the token may write only issues, pull-requests or discussions (comments, labels);
- pipeline-actor: any other write scope, no ``permissions`` block (the default may be read/write),
  ``id-token: write``, any secret passed to the job (the model API key included), a PAT as checkout or
  action token, or an action that trades the OIDC token for its own GitHub App token;
- release-actor: a publish, deploy or release step, a job ``environment:``, ``packages``/``deployments``/
  ``pages`` write, or a push to the default branch or of tags.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nhi_evidence.capability import Signal, classify
from nhi_evidence.collectors import gha
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    RepoContext,
    RepositoryCollector,
    make_evidence,
    subject_id,
)
from nhi_evidence.facts import secret_record
from nhi_evidence.files import SourceSkipped, SourceUnreadable
from nhi_evidence.model import CollectionError, Skip, Subject, Tier
from nhi_evidence.parsing import ParseError, decode_text, find_line, parse_jsonc, parse_yaml
from nhi_evidence.resources import mappings_dir
from nhi_evidence.secretscan import redact_document

NAME = "ci-workflows"
WORKFLOWS = ".github/workflows"
KIND = "ci-workflow"

# --------------------------------------------------------------------------------------------------
# The assistant catalog (mappings/ci-actions.yaml)


@dataclass(frozen=True)
class ActionSpec:
    """One assistant action of ``mappings/ci-actions.yaml`` (field meanings in that file)."""

    uses: str
    assistant: str
    docs_url: str = ""
    api_key_inputs: tuple[str, ...] = ()
    token_inputs: tuple[str, ...] = ()
    prompt_inputs: tuple[str, ...] = ()
    args_inputs: tuple[str, ...] = ()
    settings_inputs: tuple[str, ...] = ()
    allowed_tools_inputs: tuple[str, ...] = ()
    disallowed_tools_inputs: tuple[str, ...] = ()
    sandbox_inputs: tuple[str, ...] = ()
    unsafe_values: tuple[str, ...] = ()
    allow_users_inputs: tuple[str, ...] = ()
    allow_bots_inputs: tuple[str, ...] = ()
    builtin_actor_gate: str | None = None
    needs_write: tuple[str, ...] = ()
    oidc: bool = False


@dataclass(frozen=True)
class CliSpec:
    """One assistant command line of ``mappings/ci-actions.yaml``."""

    name: str
    assistant: str
    pattern: re.Pattern[str]
    docs_url: str = ""
    allowed_tools_flags: tuple[str, ...] = ()
    bypass_flags: tuple[str, ...] = ()
    permission_mode_flag: str | None = None
    api_key_env: tuple[str, ...] = ()
    sandbox_flags: tuple[str, ...] = ()
    unsafe_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The assistant actions and CLIs, and the cheap pre-parse test."""

    actions: tuple[ActionSpec, ...]
    cli: tuple[CliSpec, ...]
    api_key_secret: re.Pattern[str]
    hints: tuple[bytes, ...]

    def action_for(self, name: str) -> ActionSpec | None:
        """The spec of an action reference name (owner/repo[/path], lower-case), or None."""
        for spec in self.actions:
            if name == spec.uses:
                return spec
        return None

    def may_run_assistant(self, raw: bytes) -> bool:
        """Cheap test on raw bytes: False proves the file names no assistant action or CLI."""
        lowered = raw.lower()
        return any(hint in lowered for hint in self.hints)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


@cache
def load_catalog(path: Path | None = None) -> Catalog:
    """Load ``mappings/ci-actions.yaml`` (or another file of the same format)."""
    source = path or mappings_dir() / "ci-actions.yaml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    actions = tuple(
        ActionSpec(
            uses=str(entry["uses"]).lower(),
            assistant=str(entry["assistant"]),
            docs_url=str(entry.get("docs_url") or ""),
            api_key_inputs=_strs(entry.get("api_key_inputs")),
            token_inputs=_strs(entry.get("token_inputs")),
            prompt_inputs=_strs(entry.get("prompt_inputs")),
            args_inputs=_strs(entry.get("args_inputs")),
            settings_inputs=_strs(entry.get("settings_inputs")),
            allowed_tools_inputs=_strs(entry.get("allowed_tools_inputs")),
            disallowed_tools_inputs=_strs(entry.get("disallowed_tools_inputs")),
            sandbox_inputs=_strs(entry.get("sandbox_inputs")),
            unsafe_values=_strs(entry.get("unsafe_values")),
            allow_users_inputs=_strs(entry.get("allow_users_inputs")),
            allow_bots_inputs=_strs(entry.get("allow_bots_inputs")),
            builtin_actor_gate=entry.get("builtin_actor_gate") or None,
            needs_write=_strs(entry.get("needs_write")),
            oidc=bool(entry.get("oidc")),
        )
        for entry in raw.get("actions") or ()
    )
    cli = tuple(
        CliSpec(
            name=str(entry["name"]),
            assistant=str(entry["assistant"]),
            pattern=re.compile(str(entry["pattern"])),
            docs_url=str(entry.get("docs_url") or ""),
            allowed_tools_flags=_strs(entry.get("allowed_tools_flags")),
            bypass_flags=_strs(entry.get("bypass_flags")),
            permission_mode_flag=entry.get("permission_mode_flag") or None,
            api_key_env=_strs(entry.get("api_key_env")),
            sandbox_flags=_strs(entry.get("sandbox_flags")),
            unsafe_values=_strs(entry.get("unsafe_values")),
        )
        for entry in raw.get("cli") or ()
    )
    hints = tuple(str(h).lower().encode() for h in raw.get("hints") or ())
    return Catalog(actions, cli, re.compile(str(raw.get("api_key_secret_pattern") or r"(?!)")), hints)


# --------------------------------------------------------------------------------------------------
# Step patterns (publish, push, pull request, approval)

_PUBLISH_RUN = re.compile(
    r"\b(?:npm|yarn|pnpm)\s+(?:[\w-]+\s+)*publish\b|\btwine\s+upload\b|\b(?:poetry|uv|cargo|hatch|flit)\s+publish\b"
    r"|\bgem\s+push\b|\bdocker\s+(?:image\s+)?push\b|\bdocker\s+buildx\s+build\b[^\n]*--push\b"
    r"|\bgh\s+release\s+(?:create|upload|edit)\b|\bterraform\s+apply\b|\btofu\s+apply\b|\bpulumi\s+up\b"
    r"|\bkubectl\s+(?:apply|create|delete|set|rollout|patch|replace)\b|\bhelm\s+(?:upgrade|install)\b"
    r"|\baws\s+(?:\S+\s+)*?(?:deploy|update-function-code|s3\s+(?:sync|cp))\b|\bgcloud\s+(?:\S+\s+)*?deploy\b"
    r"|\baz\s+(?:\S+\s+)*?(?:deploy|up)\b|\bfirebase\s+deploy\b|\bvercel\s+(?:deploy\b|--prod\b)"
    r"|\bnetlify\s+deploy\b|\bfly(?:ctl)?\s+deploy\b|\b(?:serverless|sls)\s+deploy\b|\bmvn\s+(?:\S+\s+)*?deploy\b"
    r"|\bgradle\w*\s+(?:\S+\s+)*?publish\w*\b|\bdotnet\s+nuget\s+push\b|\bwrangler\s+(?:deploy|publish)\b"
)
_PUBLISH_ACTIONS: tuple[str, ...] = (
    "pypa/gh-action-pypi-publish",
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "actions/deploy-pages",
    "peaceiris/actions-gh-pages",
    "jamesives/github-pages-deploy-action",
    "aws-actions/amazon-ecs-deploy-task-definition",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "azure/webapps-deploy",
    "azure/k8s-deploy",
    "cloudflare/wrangler-action",
    "amondnet/vercel-action",
    "changesets/action",
    "goreleaser/goreleaser-action",
    "release-drafter/release-drafter",
    "googleapis/release-please-action",
    "docker/build-push-action",
)
_PUSH_RUN = re.compile(r"\bgit\s+push\b[^\n;&|]*")
_DEFAULT_BRANCH = re.compile(r"(?:^|[\s:/])(?:main|master)(?:\s|$)|HEAD:(?:refs/heads/)?(?:main|master)\b")
_PUSH_ACTIONS: tuple[str, ...] = (
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
    "ad-m/github-push-action",
)
_PR_RUN = re.compile(r"\bgh\s+pr\s+create\b|\bhub\s+pull-request\b")
_PR_ACTIONS: tuple[str, ...] = ("peter-evans/create-pull-request",)
_APPROVE_RUN = re.compile(
    r"\bgh\s+pr\s+review\b[^\n]*--approve\b|\bgh\s+pr\s+review\b[^\n]*\s-a\b|\bgh\s+pr\s+merge\b"
    r"|\bgh\s+api\b[^\n]*/reviews\b[^\n]*APPROVE"
)
_APPROVE_ACTIONS: tuple[str, ...] = (
    "hmarr/auto-approve-action",
    "juliangruber/approve-pull-request-action",
    "pascalgn/automerge-action",
    "peter-evans/enable-pull-request-automerge",
    "fastify/github-action-merge-dependabot",
)
_UNTRUSTED_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|refs/pull/[^/\s]+/(?:head|merge)|github\.event\.issue\.number|github\.event\.pull_request\.number",
    re.IGNORECASE,
)
_PERMISSION_CHECK = re.compile(
    r"getCollaboratorPermissionLevel|collaborators/[^\s/]+/permission|/permission\b|author_association",
    re.IGNORECASE,
)
_GATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("author-association", re.compile(r"author_association", re.IGNORECASE)),
    (
        "actor-allowlist",
        # Only equality and list membership restrict the actor; `github.actor != 'x'` excludes one account.
        re.compile(
            r"github\.(?:triggering_)?actor\s*==|==\s*github\.(?:triggering_)?actor\b"
            r"|contains\s*\([^)]*\)\s*,\s*github\.(?:triggering_)?actor\s*\)|sender\.login\s*==|user\.login\s*==",
            re.IGNORECASE,
        ),
    ),
    ("label", re.compile(r"label\.name|\.labels\b", re.IGNORECASE)),
    ("not-fork", re.compile(r"head\.repo\.fork|head\.repo\.full_name\s*==\s*github\.repository", re.IGNORECASE)),
    ("sender-type", re.compile(r"sender\.type", re.IGNORECASE)),
)
#: Gate kinds that restrict who can start the run (sender-type only excludes bots).
GATE_KINDS = frozenset({"author-association", "actor-allowlist", "label", "not-fork", "runtime-permission-check"})
_COMMENT_SCOPES = frozenset({"issues", "pull-requests", "discussions"})
_RELEASE_SCOPES = frozenset({"packages", "deployments", "pages"})
_BLANKET_TOOLS = frozenset({"bash", "bash(*)", "bash(*:*)", "bash(:*)", "run_shell_command", "shelltool", "*"})


def _label(step: Mapping[str, Any], index: int) -> str:
    """How messages name a step: its name or id, else the action it uses, else its position (#3)."""
    name = step.get("name") or step.get("id")
    if isinstance(name, (str, int)) and str(name).strip():
        return str(name)
    uses = step.get("uses")
    if isinstance(uses, str) and uses.strip():
        return uses.strip().split("@", 1)[0]
    return f"#{index + 1}"


def split_tools(text: str) -> list[str]:
    """Split a tool list written with commas, spaces or newlines, keeping ``Bash(git add .)`` whole."""
    tools: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (char in ",\n" or char.isspace()):
            if "".join(current).strip():
                tools.append("".join(current).strip().strip("'\""))
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        tools.append("".join(current).strip().strip("'\""))
    return [t for t in tools if t]


def _shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def parse_cli_args(
    text: str,
    tools_flags: Iterable[str],
    bypass_flags: Iterable[str],
    mode_flag: str | None,
    sandbox_flags: Iterable[str] = (),
) -> dict[str, Any]:
    """Allowed tools, bypass flags, permission mode and sandbox from an assistant command line or ``claude_args``."""
    words = _shell_words(text)
    sandbox_flags = tuple(sandbox_flags)
    sandbox: str | None = None
    tools_flags = tuple(tools_flags)
    deny_flags = ("--disallowedTools", "--disallowed-tools", "--exclude-tools")
    allowed: list[str] | None = None
    disallowed: list[str] = []
    bypass = False
    bypass_by: str | None = None
    mode: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        flag, eq, inline = word.partition("=")
        if word in bypass_flags or flag in bypass_flags:
            bypass = True
            bypass_by = bypass_by or word
        if flag in sandbox_flags:
            sandbox = inline if eq else (words[index + 1] if index + 1 < len(words) else "")
        if mode_flag and flag == mode_flag:
            value = inline if eq else (words[index + 1] if index + 1 < len(words) else "")
            mode = value
            if value in ("bypassPermissions", "yolo"):
                bypass = True
                bypass_by = bypass_by or f"{mode_flag} {value}"
        if flag in tools_flags or flag in deny_flags:
            values: list[str] = [inline] if eq else []
            cursor = index + 1
            if not eq:
                while cursor < len(words) and not words[cursor].startswith("-"):
                    values.append(words[cursor])
                    cursor += 1
            tools = [t for v in values for t in split_tools(v)]
            if flag in deny_flags:
                disallowed.extend(tools)
            else:
                allowed = (allowed or []) + tools
            index = cursor if not eq else index + 1
            continue
        index += 1
    return {
        "allowed_tools": allowed,
        "disallowed_tools": disallowed,
        "bypass": bypass,
        "bypass_by": bypass_by,
        "permission_mode": mode,
        "sandbox": sandbox,
    }


def parse_settings(text: str) -> dict[str, Any]:
    """Permissions, tools and MCP server names from a settings JSON written in a workflow input."""
    try:
        data = parse_jsonc(text.encode("utf-8"))
    except ParseError as exc:
        return {"error": exc.message}
    if not isinstance(data, dict):
        return {"error": "settings is not a JSON object"}
    permissions = gha.as_mapping(data.get("permissions"))
    tools = gha.as_mapping(data.get("tools"))
    core = tools.get("core") if isinstance(tools.get("core"), list) else data.get("coreTools")
    servers = gha.as_mapping(data.get("mcpServers"))
    return {
        "permissions": {
            "allow": [str(x) for x in permissions.get("allow") or () if isinstance(x, str)],
            "deny": [str(x) for x in permissions.get("deny") or () if isinstance(x, str)],
            "defaultMode": permissions.get("defaultMode") if isinstance(permissions.get("defaultMode"), str) else None,
        },
        "tools_core": [str(x) for x in core] if isinstance(core, list) else None,
        "mcp_servers": sorted(str(k) for k in servers),
        "error": None,
    }


def blanket_tools(tools: Iterable[str]) -> list[str]:
    """Tool rules that allow every shell command."""
    return [t for t in tools if t.strip().lower().replace(" ", "") in _BLANKET_TOOLS]


# --------------------------------------------------------------------------------------------------
# The collector


@dataclass
class _Workflow:
    """A parsed assistant-candidate workflow."""

    rel: str
    shown: str
    text: str
    doc: dict[Any, Any]
    evidence_id: str
    secrets: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Call:
    """A job that calls a local reusable workflow."""

    caller: str
    job: str
    triggers: list[str]
    secrets_inherit: bool
    secrets: list[str]
    permissions: gha.Permissions
    line: int | None
    evidence_id: str = ""


@cache
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:-\s+)?['\"]?{re.escape(key)}['\"]?\s*:")


class _Lines:
    """Line lookup in a workflow's text, scoped to a job (first occurrence after the job's key)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")

    def job_line(self, job_id: str) -> int | None:
        pattern = re.compile(rf"^\s+['\"]?{re.escape(job_id)}['\"]?\s*:")
        jobs_seen = False
        for number, line in enumerate(self.lines, 1):
            if re.match(r"^jobs\s*:", line):
                jobs_seen = True
            elif jobs_seen and pattern.match(line):
                return number
        return None

    def after(self, start: int | None, *needles: str) -> int | None:
        begin = (start or 1) - 1
        for needle in needles:
            if not needle:
                continue
            first = needle.split("\n", 1)[0].strip()
            if not first:
                continue
            for number in range(begin, len(self.lines)):
                if first in self.lines[number]:
                    return number + 1
        return start

    def key_after(self, start: int | None, key: str) -> int | None:
        """Line of the first ``key:`` (a mapping key, quoted or not) at or after start; start when absent."""
        pattern = _key_pattern(key)
        for number in range((start or 1) - 1, len(self.lines)):
            if pattern.match(self.lines[number]):
                return number + 1
        return start

    def text_after(self, start: int | None, text: str) -> int | None:
        """Line of the first occurrence of text at or after start (spaces inside ``${{ }}`` ignored)."""
        squeezed = re.sub(r"\s+", "", text)
        for number in range((start or 1) - 1, len(self.lines)):
            if text in self.lines[number] or (squeezed and squeezed in re.sub(r"\s+", "", self.lines[number])):
                return number + 1
        return start


class CiWorkflowsCollector(RepositoryCollector):
    """GitHub Actions jobs that run an assistant (action or CLI), one subject per job."""

    name = NAME
    description = "GitHub Actions workflow jobs that run an AI assistant (claude-code-action, codex-action, run-gemini-cli, assistant CLIs)."
    docs_url = "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax"
    marker_paths = (".github/workflows/",)

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or load_catalog()

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Read every workflow file; parse those that may run an assistant; one subject per assistant job."""
        out = CollectorOutput()
        view = ctx.view
        try:
            names = view.list_dir(WORKFLOWS)
        except SourceSkipped as exc:
            out.skips.append(Skip(view.display(WORKFLOWS), f"Not read: {exc.reason}.", NAME))
            return out
        except SourceUnreadable as exc:
            shown = view.display(WORKFLOWS)
            out.errors.append(CollectionError(shown, f"Could not list {shown}: {exc.reason}.", NAME))
            return out
        files = [n for n in names if n.endswith((".yml", ".yaml"))]
        raws: dict[str, bytes] = {}
        for name in files:
            rel = f"{WORKFLOWS}/{name}"
            shown = view.display(rel)
            try:
                raws[rel] = view.read(rel)
            except FileNotFoundError:
                continue
            except SourceSkipped as exc:
                out.skips.append(Skip(shown, f"Not read: {exc.reason}.", NAME))
            except SourceUnreadable as exc:
                out.errors.append(CollectionError(shown, f"Could not read {shown}: {exc.reason}.", NAME))
        candidates = [rel for rel, raw in raws.items() if self.catalog.may_run_assistant(raw)]
        workflows: dict[str, _Workflow] = {}
        for rel in candidates:
            parsed = self._parse(ctx, rel, raws[rel], out)
            if parsed is not None:
                workflows[rel] = parsed
        # A reusable workflow that runs an assistant is reached through its callers: find callers among
        # the files not parsed yet by the callee's file name (a cheap byte test), and parse only those.
        callees = {rel for rel, wf in workflows.items() if "workflow_call" in gha.workflow_triggers(wf.doc)}
        if callees:
            for rel, raw in raws.items():
                if rel in workflows or rel in candidates:
                    continue
                if any(callee.rsplit("/", 1)[-1].encode() in raw for callee in callees):
                    parsed = self._parse(ctx, rel, raw, out)
                    if parsed is not None:
                        workflows[rel] = parsed
        calls = self._calls(ctx, workflows, raws, out)
        jobs_found = 0
        for rel in sorted(workflows):
            if rel not in candidates:
                continue
            subjects = self._subjects(ctx, workflows[rel], calls.get(rel, []), out)
            jobs_found += len(subjects)
            out.subjects.extend(subjects)
            if not subjects:
                out.evidence = [e for e in out.evidence if e.id != workflows[rel].evidence_id]
        used = {s_ev for s in out.subjects for s_ev in s.evidence_ids}
        out.evidence = [e for e in out.evidence if e.collector != NAME or e.id in used]
        with_assistant = len({s.facts["workflow"]["path"] for s in out.subjects})
        out.counts = {
            f"{NAME}.files": len(files),
            f"{NAME}.with_assistant": with_assistant,
            f"{NAME}.without_assistant": len(raws) - with_assistant,
            f"{NAME}.assistant_jobs": jobs_found,
        }
        return out

    # -- parsing -----------------------------------------------------------------------------------

    def _parse(self, ctx: RepoContext, rel: str, raw: bytes, out: CollectorOutput) -> _Workflow | None:
        # Not load_source(): the raw bytes are read first for the cheap assistant test, so reading and
        # parsing are split here; errors and evidence are recorded the same way.
        shown = ctx.view.display(rel)
        try:
            data = parse_yaml(raw)
            text = decode_text(raw)
        except ParseError as exc:
            out.errors.append(CollectionError(shown, f"{shown}: {exc.message}.", NAME, exc.line))
            return None
        if not isinstance(data, dict):
            kind = "empty" if data is None else type(data).__name__
            out.errors.append(
                CollectionError(shown, f"{shown}: a workflow is a mapping at the top level (found {kind}).", NAME)
            )
            return None
        if not isinstance(data.get("jobs"), dict):
            out.errors.append(CollectionError(shown, f"{shown}: `jobs` is missing or not a mapping.", NAME))
            return None
        # PyYAML keeps the `on:` key as the boolean True; redaction stringifies keys, so rename it first.
        if True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        redacted, hits = redact_document(data)
        lines = _Lines(text)
        inline = [
            secret_record(
                hit.detector,
                hit.fingerprint,
                shown,
                lines.key_after(1, hit.key) if hit.key else None,
                hit.pointer,
                hit.key,
            )
            for hit in hits
        ]
        evidence = make_evidence(NAME, shown, "yaml", raw, redacted, ctx.clock, ctx.repo)
        out.evidence.append(evidence)
        return _Workflow(rel, shown, text, redacted, evidence.id, inline)

    def _calls(
        self, ctx: RepoContext, workflows: Mapping[str, _Workflow], raws: Mapping[str, bytes], out: CollectorOutput
    ) -> dict[str, list[_Call]]:
        """Local reusable workflow calls, by callee path; absent callees of assistant workflows are skips."""
        calls: dict[str, list[_Call]] = {}
        for wf in workflows.values():
            triggers = sorted(gha.workflow_triggers(wf.doc))
            lines = _Lines(wf.text)
            for job_id, job in gha.as_mapping(wf.doc.get("jobs")).items():
                if not isinstance(job, dict) or not isinstance(job.get("uses"), str):
                    continue
                target = job["uses"].strip()
                if not target.startswith("./.github/workflows/"):
                    continue
                callee = target[2:].split("@", 1)[0]
                inherit = isinstance(job.get("secrets"), str) and job["secrets"].strip() == "inherit"
                passed = sorted(str(k) for k in gha.as_mapping(job.get("secrets")))
                line = lines.job_line(job_id)
                if callee not in raws:
                    shown = ctx.view.display(callee)
                    out.skips.append(
                        Skip(
                            wf.shown,
                            f"Job `{job_id}` of {wf.shown} calls the reusable workflow {shown}, which is absent "
                            "from the repository; the steps it runs were not assessed.",
                            NAME,
                        )
                    )
                    continue
                calls.setdefault(callee, []).append(
                    _Call(
                        wf.shown,
                        job_id,
                        triggers,
                        inherit,
                        passed,
                        gha.resolve_permissions(wf.doc, job),
                        line,
                        wf.evidence_id,
                    )
                )
        return calls

    # -- one workflow ------------------------------------------------------------------------------

    def _subjects(self, ctx: RepoContext, wf: _Workflow, calls: list[_Call], out: CollectorOutput) -> list[Subject]:
        subjects: list[Subject] = []
        lines = _Lines(wf.text)
        for job_id, job in gha.as_mapping(wf.doc.get("jobs")).items():
            if not isinstance(job, dict):
                out.errors.append(CollectionError(wf.shown, f"{wf.shown}: job `{job_id}` is not a mapping.", NAME))
                continue
            steps = job.get("steps")
            if steps is not None and not isinstance(steps, list):
                out.errors.append(
                    CollectionError(wf.shown, f"{wf.shown}: `steps` of job `{job_id}` is not a list.", NAME)
                )
                continue
            facts = self._job_facts(wf, job_id, job, steps or [], lines, calls)
            if facts is None:
                continue
            capability = classify(_signals(facts))
            label = ", ".join(sorted({a["assistant"] for a in facts["assistants"]}))
            subjects.append(
                Subject(
                    id=subject_id(KIND, ctx.repo, wf.shown, job_id),
                    kind=KIND,
                    name=f"Workflow {wf.shown} job `{job_id}` ({label})",
                    path=wf.shown,
                    repository=ctx.repo,
                    capability=capability,
                    facts=facts,
                    evidence_ids=tuple(sorted({wf.evidence_id, *(c.evidence_id for c in calls)})),
                )
            )
        return subjects

    def _job_facts(
        self,
        wf: _Workflow,
        job_id: str,
        job: dict[str, Any],
        steps: list[Any],
        lines: _Lines,
        calls: list[_Call],
    ) -> dict[str, Any] | None:
        catalog = self.catalog
        job_line = lines.job_line(job_id)
        assistants: list[dict[str, Any]] = []
        uses_facts: list[dict[str, Any]] = []
        secrets: list[dict[str, Any]] = []
        flows: list[dict[str, Any]] = []
        checkouts: list[dict[str, Any]] = []
        publish: list[dict[str, Any]] = []
        direct_push: list[dict[str, Any]] = []
        pr_path: list[dict[str, Any]] = []
        approvals: list[dict[str, Any]] = []
        gate_kinds: list[str] = []
        widened: list[dict[str, Any]] = []
        builtin: str | None = None
        variables: set[str] = set()
        api_key_names: set[str] = set()
        cursor = job_line

        def add_secrets(text: str, where: str, step: str, key: str, assistant_step: bool, line: int | None) -> None:
            for name in gha.secret_refs(text):
                secrets.append(
                    {
                        "name": name,
                        "where": where,
                        "step": step,
                        "key": key,
                        "assistant_step": assistant_step,
                        "api_key": False,
                        "line": line,
                    }
                )
            variables.update(gha.var_refs(text))

        def add_flows(text: str, sink: str, step: str, key: str, line: int | None) -> None:
            for context in gha.untrusted_contexts(text):
                where = (
                    lines.text_after(line, context) if sink in ("run", "prompt") and key in ("run", "script") else line
                )
                flows.append({"context": context, "sink": sink, "step": step, "key": key, "line": where})

        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            label = _label(step, index)
            uses_text = step.get("uses") if isinstance(step.get("uses"), str) else None
            run_text = step.get("run") if isinstance(step.get("run"), str) else None
            with_ = gha.as_mapping(step.get("with"))
            env = gha.as_mapping(step.get("env"))
            step_line = lines.after(
                (cursor or 0) + 1,
                f"name: {step.get('name')}" if step.get("name") else "",
                uses_text or "",
                (run_text or "").strip(),
            )
            cursor = step_line
            ref = gha.classify_uses(uses_text) if uses_text else None
            spec = catalog.action_for(ref.name) if ref is not None and ref.kind == "action" else None
            cli_hits = [c for c in catalog.cli if run_text and c.pattern.search(run_text)]
            is_assistant = spec is not None or bool(cli_hits)
            if ref is not None:
                uses_facts.append({**ref.as_fact(), "step": label, "line": step_line, "assistant": spec is not None})
            # Secrets and variables referenced by the step.
            for key, value in with_.items():
                add_secrets(
                    gha.scalar_text(value), "step-input", label, key, is_assistant, lines.key_after(step_line, key)
                )
            for key, value in env.items():
                add_secrets(
                    gha.scalar_text(value), "step-env", label, key, is_assistant, lines.key_after(step_line, key)
                )
            if run_text:
                add_secrets(run_text, "run", label, "", is_assistant, step_line)
            # Untrusted event text: into shell or script code, into the assistant.
            if run_text:
                add_flows(run_text, "run", label, "run", step_line)
                if cli_hits:
                    add_flows(run_text, "prompt", label, "run", step_line)
            if ref is not None and ref.name == "actions/github-script":
                add_flows(gha.scalar_text(with_.get("script")), "run", label, "script", step_line)
            if is_assistant:
                for key, value in with_.items():
                    prompt_like = spec is not None and key in (
                        *spec.prompt_inputs,
                        *spec.args_inputs,
                        *spec.settings_inputs,
                    )
                    add_flows(
                        gha.scalar_text(value),
                        "prompt" if prompt_like else "assistant-input",
                        label,
                        key,
                        lines.key_after(step_line, key),
                    )
                for key, value in env.items():
                    add_flows(gha.scalar_text(value), "assistant-env", label, key, lines.key_after(step_line, key))
            # Gates evaluated at run time by an earlier step (collaborator permission lookups).
            script = (run_text or "") + gha.scalar_text(with_.get("script"))
            if not is_assistant and _PERMISSION_CHECK.search(script) and "runtime-permission-check" not in gate_kinds:
                gate_kinds.append("runtime-permission-check")
            if is_assistant:
                gate_kinds.extend(
                    k for k in actor_gate_kinds(gha.condition_text(step.get("if"))) if k not in gate_kinds
                )
            # Checkouts.
            if ref is not None and ref.name == "actions/checkout":
                checkout_ref = gha.scalar_text(with_.get("ref"))
                token_names = gha.secret_refs(gha.scalar_text(with_.get("token")))
                persist = with_.get("persist-credentials")
                checkouts.append(
                    {
                        "ref": checkout_ref or None,
                        "untrusted_head": bool(checkout_ref and _UNTRUSTED_REF.search(checkout_ref)),
                        "dynamic_ref": bool(checkout_ref and "steps." in checkout_ref),
                        "persist_credentials": not (persist is False or str(persist).lower() == "false"),
                        "token": token_names[0] if token_names else None,
                        "pat": any(n != "GITHUB_TOKEN" for n in token_names),
                        "step": label,
                        "line": lines.key_after(step_line, "ref") if checkout_ref else step_line,
                    }
                )
            # Publish, push, pull request, approval.
            if ref is not None:
                if ref.name in _PUBLISH_ACTIONS and not (
                    ref.name == "docker/build-push-action" and gha.scalar_text(with_.get("push")).lower() != "true"
                ):
                    publish.append({"kind": ref.name, "step": label, "line": step_line})
                if ref.name in _PUSH_ACTIONS:
                    direct_push.append({"kind": ref.name, "target": "branch", "step": label, "line": step_line})
                if ref.name in _PR_ACTIONS:
                    pr_path.append({"kind": ref.name, "step": label, "line": step_line})
                if ref.name in _APPROVE_ACTIONS:
                    approvals.append({"kind": ref.name, "step": label, "line": step_line})
            if run_text:
                for match in _PUBLISH_RUN.finditer(run_text):
                    publish.append(
                        {
                            "kind": " ".join(match.group(0).split()[:3]),
                            "step": label,
                            "line": lines.text_after(step_line, match.group(0).split("\n")[0]),
                        }
                    )
                for match in _PUSH_RUN.finditer(run_text):
                    command = match.group(0)
                    target = (
                        "tags"
                        if "--tags" in command or "refs/tags" in command
                        else "default-branch"
                        if _DEFAULT_BRANCH.search(command)
                        else "branch"
                    )
                    direct_push.append(
                        {
                            "kind": "git push",
                            "target": target,
                            "step": label,
                            "line": lines.text_after(step_line, command),
                        }
                    )
                for match in _PR_RUN.finditer(run_text):
                    pr_path.append({"kind": " ".join(match.group(0).split()), "step": label, "line": step_line})
                for match in _APPROVE_RUN.finditer(run_text):
                    approvals.append(
                        {
                            "kind": " ".join(match.group(0).split()[:3]),
                            "step": label,
                            "line": lines.text_after(step_line, match.group(0)),
                        }
                    )
            # The assistant itself.
            if spec is not None and ref is not None:
                assistants.append(self._action_facts(spec, ref, with_, label, step_line, widened))
                _locate_rules(assistants[-1], lines, step_line)
                for record in widened:
                    record.setdefault("line", lines.key_after(step_line, record["input"]))
                builtin = builtin or spec.builtin_actor_gate
                for key in spec.api_key_inputs:
                    api_key_names.update(gha.secret_refs(gha.scalar_text(with_.get(key))))
            for cli in cli_hits:
                assistants.append(self._cli_facts(cli, run_text or "", label, step_line))
                _locate_rules(assistants[-1], lines, step_line)
                for key in cli.api_key_env:
                    api_key_names.update(gha.secret_refs(gha.scalar_text(env.get(key))))
        if not assistants:
            return None
        # Job and workflow level: env, other keys, conditions.
        for key, value in gha.as_mapping(job.get("env")).items():
            add_secrets(gha.scalar_text(value), "job-env", "", key, False, lines.after(job_line, f"{key}:"))
            add_flows(gha.scalar_text(value), "job-env", "", key, lines.after(job_line, f"{key}:"))
        for key, value in gha.as_mapping(wf.doc.get("env")).items():
            add_secrets(gha.scalar_text(value), "workflow-env", "", key, False, find_line(wf.text, f"{key}:"))
            add_flows(gha.scalar_text(value), "workflow-env", "", key, find_line(wf.text, f"{key}:"))
        for key in ("container", "services", "strategy", "with", "secrets"):
            if key in job:
                add_secrets(yaml.safe_dump(job[key], default_flow_style=True), "job", "", key, False, job_line)
        job_if = gha.condition_text(job.get("if"))
        gate_kinds = [*(k for k in actor_gate_kinds(job_if) if k not in gate_kinds), *gate_kinds]
        for record in secrets:
            if record["name"] in api_key_names or catalog.api_key_secret.fullmatch(record["name"]):
                record["api_key"] = True
        inherit = any(c.secrets_inherit for c in calls)
        if inherit:
            secrets.append(
                {
                    "name": "*",
                    "where": "inherit",
                    "step": "",
                    "key": "",
                    "assistant_step": False,
                    "api_key": True,
                    "line": next((c.line for c in calls if c.secrets_inherit), None),
                }
            )
        # Triggers, including the events of the workflows that call this one.
        triggers = set(gha.workflow_triggers(wf.doc))
        if "workflow_call" in triggers and calls:
            for call in calls:
                triggers.update(call.triggers)
        untrusted = sorted(triggers & gha.UNTRUSTED_TRIGGERS)
        # Permissions: the job's, the workflow's, or (for a called workflow) the caller job's.
        caller_perms = calls[0].permissions if calls and "workflow_call" in gha.workflow_triggers(wf.doc) else None
        permissions = gha.resolve_permissions(wf.doc, job, caller_perms)
        perm_fact = permissions.as_fact()
        perm_fact["line"] = (
            lines.after(job_line, "permissions")
            if permissions.source == "job"
            else find_line(wf.text, "permissions:")
            if permissions.source == "workflow"
            else job_line
        )
        environment = job.get("environment")
        env_name = (
            gha.scalar_text(environment.get("name")) if isinstance(environment, dict) else gha.scalar_text(environment)
        )
        gated = bool(set(gate_kinds) & GATE_KINDS) or (
            builtin is not None and not any(w["value"] == "*" for w in widened if w["kind"] == "users")
        )
        name = job.get("name")
        runs_on = job.get("runs-on")
        return {
            "workflow": {
                "path": wf.shown,
                "name": gha.scalar_text(wf.doc.get("name")),
                "line": 1,
            },
            "job": {
                "id": job_id,
                "name": gha.scalar_text(name) if isinstance(name, str) else "",
                "line": job_line,
                "runs_on": runs_on if isinstance(runs_on, (str, list)) else None,
            },
            "assistants": assistants,
            "triggers": sorted(triggers),
            "push_filters": _push_filters(gha.workflow_triggers(wf.doc)),
            "untrusted_triggers": untrusted,
            "trust_gate": {
                "conditions": gate_kinds,
                "builtin": builtin,
                "widened": widened,
                "gated": gated,
                "line": lines.after(job_line, "if:") if job_if else job_line,
            },
            "permissions": perm_fact,
            "id_token_write": permissions.scopes.get("id-token") == "write",
            "secrets": secrets,
            "inline_secrets": wf.secrets,
            "vars": sorted(variables),
            "uses": uses_facts,
            "untrusted_flows": flows,
            "checkouts": checkouts,
            "environment": {"name": env_name, "line": lines.after(job_line, "environment")} if env_name else None,
            "publish": publish,
            "direct_push": direct_push,
            "pr_path": pr_path,
            "approvals": approvals,
            "called_by": [
                {
                    "path": c.caller,
                    "job": c.job,
                    "triggers": c.triggers,
                    "secrets_inherit": c.secrets_inherit,
                    "line": c.line,
                }
                for c in calls
            ],
        }

    def _action_facts(
        self,
        spec: ActionSpec,
        ref: gha.UsesRef,
        with_: Mapping[str, Any],
        label: str,
        line: int | None,
        widened: list[dict[str, Any]],
    ) -> dict[str, Any]:
        allowed: list[str] | None = None
        disallowed: list[str] = []
        bypass = False
        bypass_by: str | None = None
        mode: str | None = None
        for key in spec.allowed_tools_inputs:
            if key in with_:
                allowed = (allowed or []) + split_tools(gha.scalar_text(with_[key]))
        for key in spec.disallowed_tools_inputs:
            if key in with_:
                disallowed += split_tools(gha.scalar_text(with_[key]))
        for key in spec.args_inputs:
            if key in with_:
                parsed = parse_cli_args(
                    gha.scalar_text(with_[key]),
                    ("--allowedTools", "--allowed-tools"),
                    ("--dangerously-skip-permissions",),
                    "--permission-mode",
                )
                if parsed["allowed_tools"] is not None:
                    allowed = (allowed or []) + parsed["allowed_tools"]
                disallowed += parsed["disallowed_tools"]
                bypass = bypass or parsed["bypass"]
                bypass_by = bypass_by or parsed["bypass_by"]
                mode = parsed["permission_mode"] or mode
        settings: dict[str, Any] | None = None
        for key in spec.settings_inputs:
            text = gha.scalar_text(with_.get(key)).strip()
            if text.startswith("{"):
                settings = parse_settings(text)
            elif text:
                settings = {"error": "settings is a file path or expression, not inline JSON"}
        if settings and not settings.get("error"):
            perms = settings["permissions"]
            if perms["allow"]:
                allowed = (allowed or []) + perms["allow"]
            disallowed += perms["deny"]
            if perms["defaultMode"]:
                mode = mode or perms["defaultMode"]
                if perms["defaultMode"] == "bypassPermissions":
                    bypass = True
                    bypass_by = bypass_by or "settings permissions.defaultMode bypassPermissions"
            if settings["tools_core"] is not None:
                allowed = (allowed or []) + settings["tools_core"]
        sandbox = {key: gha.scalar_text(with_[key]) for key in spec.sandbox_inputs if key in with_}
        unsafe = any(value in spec.unsafe_values for value in sandbox.values())
        for key in spec.allow_users_inputs:
            value = gha.scalar_text(with_.get(key)).strip()
            if value:
                widened.append({"kind": "users", "input": key, "value": value, "step": label})
        for key in spec.allow_bots_inputs:
            value = gha.scalar_text(with_.get(key)).strip()
            if value:
                widened.append({"kind": "bots", "input": key, "value": value, "step": label})
        token_input = None
        for key in spec.token_inputs:
            names = gha.secret_refs(gha.scalar_text(with_.get(key)))
            if names:
                token_input = names[0]
        return {
            "assistant": spec.assistant,
            "via": "action",
            "uses": ref.raw,
            "action": spec.uses,
            "step": label,
            "line": line,
            "allowed_tools": allowed,
            "disallowed_tools": disallowed,
            "blanket_tools": blanket_tools(allowed or []),
            "bypass": bypass,
            "bypass_by": bypass_by,
            "permission_mode": mode,
            "prompt_inputs": sorted(k for k in spec.prompt_inputs if k in with_),
            "settings": settings,
            "sandbox": sandbox,
            "unsafe_sandbox": unsafe,
            "sandboxed": bool(spec.sandbox_inputs),
            "token_input": token_input,
            "needs_write": list(spec.needs_write),
            "oidc": spec.oidc,
            "docs_url": spec.docs_url,
        }

    def _cli_facts(self, cli: CliSpec, run_text: str, label: str, line: int | None) -> dict[str, Any]:
        command_lines = [ln for ln in run_text.split("\n") if cli.pattern.search(ln)] or [run_text]
        parsed = parse_cli_args(
            " ".join(command_lines),
            cli.allowed_tools_flags,
            cli.bypass_flags,
            cli.permission_mode_flag,
            cli.sandbox_flags,
        )
        allowed = parsed["allowed_tools"]
        sandbox = {"--sandbox": parsed["sandbox"]} if parsed["sandbox"] else {}
        return {
            "assistant": cli.assistant,
            "via": "cli",
            "command": cli.name,
            "step": label,
            "line": line,
            "allowed_tools": allowed,
            "disallowed_tools": parsed["disallowed_tools"],
            "blanket_tools": blanket_tools(allowed or []),
            "bypass": parsed["bypass"],
            "bypass_by": parsed["bypass_by"],
            "permission_mode": parsed["permission_mode"],
            "prompt_inputs": ["run"],
            "settings": None,
            "sandbox": sandbox,
            "unsafe_sandbox": parsed["sandbox"] in cli.unsafe_values,
            "sandboxed": bool(cli.sandbox_flags),
            "token_input": None,
            "needs_write": [],
            "oidc": False,
            "docs_url": cli.docs_url,
        }


def _locate_rules(fact: dict[str, Any], lines: _Lines, step_line: int | None) -> None:
    """Add ``rule_line`` (the line that decides the tool verdict) and ``token_line`` to an assistant fact."""
    needles: list[str] = [*fact["blanket_tools"]]
    if fact["bypass"]:
        needles += ["--dangerously-skip-permissions", "--dangerously-bypass", "--yolo", "bypassPermissions", "yolo"]
    if fact["unsafe_sandbox"]:
        needles += [str(v) for v in fact["sandbox"].values()]
    needles += ["allowedTools", "allowed-tools", "allowed_tools", '"allow"', '"core"', "--sandbox", "sandbox"]
    fact["rule_line"] = step_line
    for needle in needles:
        line = lines.text_after(step_line, needle)
        if line != step_line or (step_line and needle in lines.lines[step_line - 1]):
            fact["rule_line"] = line
            break
    fact["token_line"] = lines.key_after(step_line, "github_token") if fact["token_input"] else None


def _push_filters(triggers: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """Branch and tag filters of the ``push`` trigger (None when the workflow has no push trigger)."""
    if "push" not in triggers:
        return None
    config = gha.as_mapping(triggers.get("push"))
    filters: dict[str, list[str]] = {}
    for key in ("branches", "tags", "branches-ignore", "tags-ignore"):
        value = config.get(key)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            filters[key] = [str(v) for v in value]
    return filters


def actor_gate_kinds(condition: str) -> list[str]:
    """Kinds of actor gate an ``if:`` condition holds (see ``GATE_KINDS``)."""
    if not condition:
        return []
    return [kind for kind, pattern in _GATES if pattern.search(condition)]


def _signals(facts: Mapping[str, Any]) -> list[Signal]:
    """Capability signals of one assistant job (rules in the module docstring)."""
    where = f"Workflow {facts['workflow']['path']} job `{facts['job']['id']}`"
    names = ", ".join(sorted({a["assistant"] for a in facts["assistants"]}))
    signals = [Signal(Tier.LOCAL_ACTOR, f"{where} runs {names} on a CI runner, where it can run commands.")]
    permissions = facts["permissions"]
    # The assumed permissive default is "potentially write", not evidence of release scopes.
    write = set(permissions["write"]) if permissions["source"] != "default" else set()
    if permissions["source"] == "default":
        signals.append(
            Signal(
                Tier.PIPELINE_ACTOR,
                f"{where} sets no token permissions: the token gets the repository default, potentially read/write.",
            )
        )
    elif write:
        tier = Tier.REPOSITORY_ACTOR if write <= _COMMENT_SCOPES else Tier.PIPELINE_ACTOR
        shown = ", ".join(f"`{s}: write`" for s in sorted(write))
        signals.append(Signal(tier, f"{where} gives the job's token {shown}."))
    if facts["id_token_write"]:
        signals.append(
            Signal(
                Tier.PIPELINE_ACTOR, f"{where} may mint OIDC tokens (`id-token: write`) for cloud or App credentials."
            )
        )
    secret_names = sorted({s["name"] for s in facts["secrets"] if s["name"] not in ("GITHUB_TOKEN", "*")})
    if secret_names:
        signals.append(Signal(Tier.PIPELINE_ACTOR, f"{where} receives secrets {', '.join(secret_names)}."))
    if any(s["where"] == "inherit" for s in facts["secrets"]):
        signals.append(Signal(Tier.PIPELINE_ACTOR, f"{where} receives every repository secret (`secrets: inherit`)."))
    if any(c["pat"] for c in facts["checkouts"]) or any(
        a["token_input"] not in (None, "GITHUB_TOKEN") for a in facts["assistants"]
    ):
        signals.append(
            Signal(
                Tier.PIPELINE_ACTOR, f"{where} gives the assistant a personal or App token instead of the job token."
            )
        )
    if facts["id_token_write"] and any(a["oidc"] and not a["token_input"] for a in facts["assistants"]):
        signals.append(
            Signal(
                Tier.PIPELINE_ACTOR,
                f"{where} lets the action trade the OIDC token for its GitHub App token (contents, issues and pull requests write).",
            )
        )
    for item in facts["publish"]:
        signals.append(
            Signal(Tier.RELEASE_ACTOR, f"{where} publishes or deploys (`{item['kind']}` in step {item['step']}).")
        )
    if facts["environment"]:
        signals.append(
            Signal(Tier.RELEASE_ACTOR, f"{where} runs in deployment environment `{facts['environment']['name']}`.")
        )
    for scope in sorted(write & _RELEASE_SCOPES):
        signals.append(Signal(Tier.RELEASE_ACTOR, f"{where} may publish with `{scope}: write`."))
    for item in facts["direct_push"]:
        if item["target"] in ("default-branch", "tags"):
            target = "the default branch" if item["target"] == "default-branch" else "tags"
            signals.append(Signal(Tier.RELEASE_ACTOR, f"{where} pushes to {target} (step {item['step']})."))
    return signals
