"""GitHub Copilot: coding agent setup steps, VS Code MCP servers and chat settings, instruction files.

Files read:

- ``.github/workflows/copilot-setup-steps.yml``: the steps the Copilot coding agent runs in GitHub
  Actions before it starts. Copilot honours only a single job named exactly ``copilot-setup-steps``
  and only its ``steps``, ``permissions``, ``runs-on``, ``container``, ``services``, ``snapshot`` and
  ``timeout-minutes`` (at most 59) keys. Recorded: the job's token permissions (read with the shared
  GitHub Actions helpers in ``gha.py``), the ``token`` given to ``actions/checkout`` (a secret other
  than ``GITHUB_TOKEN`` is a personal access token or app token handed to the agent), every
  ``secrets.X`` referenced, ``uses:`` pins, and keys Copilot ignores.
- ``.vscode/mcp.json`` (JSONC): ``servers`` (note: not ``mcpServers``) and ``inputs``
  (``{"id", "type": "promptString", "password": true}``) referenced as ``${input:id}``.
- ``.vscode/settings.json`` (JSONC), only its Copilot chat keys: ``chat.tools.autoApprove`` /
  ``chat.tools.global.autoApprove`` (approve every tool: VS Code's "YOLO" mode),
  ``chat.tools.terminal.autoApprove`` (command -> bool map; a ``/.*/`` style key approves all),
  ``chat.tools.terminal.enableAutoApprove``, ``chat.mcp.access`` (``all`` | ``registry`` | ``none``),
  ``chat.mcp.autostart``. A settings file without such keys is not kept as Copilot evidence.
- Presence of ``.github/copilot-instructions.md``, ``.github/instructions/*.instructions.md``,
  ``.github/prompts/*.prompt.md`` and ``AGENTS.md`` (instructions).

Facts: the shared keys of ``facts.py`` plus ``copilot_setup_steps`` (``{path, line, job_found,
permissions, write_permissions, checkout_tokens, pat_used, secrets_used, uses, ignored_keys,
timeout_minutes}``), ``vscode_inputs`` (``[{id, type, password}]``) and ``vscode_chat``
(``{mcp_access, terminal_auto_approve, path, line}``).

Docs: https://docs.github.com/en/copilot/how-tos/use-copilot-agents/coding-agent/customize-the-agent-environment ;
https://code.visualstudio.com/docs/copilot/customization/mcp-servers ;
https://code.visualstudio.com/docs/copilot/reference/mcp-configuration ;
https://code.visualstudio.com/docs/copilot/agents/agent-tools ;
https://docs.github.com/en/copilot/how-tos/configure-custom-instructions/add-repository-instructions
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhi_evidence.capability import Signal
from nhi_evidence.collectors import gha
from nhi_evidence.collectors.assistant_common import as_list, build_subject, finish, list_files, mcp_facts, present
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import Tier

NAME = "copilot"
SETUP_PATHS = (".github/workflows/copilot-setup-steps.yml", ".github/workflows/copilot-setup-steps.yaml")
JOB = "copilot-setup-steps"
_HONOURED = frozenset({"steps", "permissions", "runs-on", "container", "services", "snapshot", "timeout-minutes"})
_DEFAULT_TOKENS = frozenset({"GITHUB_TOKEN"})
_AUTO_ALL_KEYS = ("chat.tools.autoApprove", "chat.tools.global.autoApprove")


def _strings(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _is_builtin_token(text: str, names: list[str]) -> bool:
    """True when a checkout ``token:`` is the job's own GITHUB_TOKEN (``secrets.GITHUB_TOKEN`` or ``github.token``)."""
    if names:
        return set(names) <= _DEFAULT_TOKENS
    return "github.token" in text


def setup_steps_facts(loaded: LoadedSource, data: Any) -> tuple[dict[str, Any], list[Signal]]:
    """The ``copilot_setup_steps`` fact of one workflow document, and capability signals."""
    doc = gha.as_mapping(data)
    jobs = gha.as_mapping(doc.get("jobs"))
    job = gha.as_mapping(jobs.get(JOB))
    fact: dict[str, Any] = {
        "path": loaded.path,
        "line": loaded.line_of(f"{JOB}:"),
        "job_found": JOB in jobs,
        "other_jobs": sorted(k for k in jobs if k != JOB),
    }
    signals: list[Signal] = []
    if JOB not in jobs:
        return fact, signals
    permissions = gha.resolve_permissions(doc, job)
    fact["permissions"] = permissions.as_fact()
    fact["write_permissions"] = permissions.write_scopes
    tokens: list[dict[str, Any]] = []
    uses: list[dict[str, str]] = []
    for step in as_list(job.get("steps")):
        step_map = gha.as_mapping(step)
        ref = step_map.get("uses")
        if not isinstance(ref, str):
            continue
        parsed = gha.classify_uses(ref)
        uses.append(parsed.as_fact())
        if parsed.name == "actions/checkout":
            token = gha.scalar_text(gha.as_mapping(step_map.get("with")).get("token"))
            if token:
                names = gha.secret_refs(token)
                tokens.append(
                    {
                        "secrets": names,
                        "default": _is_builtin_token(token, names),
                        "line": loaded.line_of("token:"),
                    }
                )
    secrets_used: set[str] = set()
    for text in _strings(job):
        secrets_used.update(gha.secret_refs(text))
    fact["checkout_tokens"] = tokens
    fact["pat_used"] = any(not t["default"] for t in tokens)
    fact["secrets_used"] = sorted(secrets_used)
    fact["uses"] = uses
    fact["ignored_keys"] = sorted(k for k in job if k not in _HONOURED)
    timeout = job.get("timeout-minutes")
    fact["timeout_minutes"] = timeout if isinstance(timeout, int) else None
    signals.append(
        Signal(
            Tier.REPOSITORY_ACTOR,
            f"{loaded.path} configures the Copilot coding agent, which pushes branches and opens pull requests.",
        )
    )
    if permissions.write_scopes and not permissions.is_default:
        signals.append(
            Signal(
                Tier.PIPELINE_ACTOR,
                f"{loaded.path} gives the setup steps a token with write access ({', '.join(permissions.write_scopes)}).",
            )
        )
    if fact["pat_used"]:
        signals.append(
            Signal(Tier.PIPELINE_ACTOR, f"{loaded.path} checks out the repository with a personal or app token.")
        )
    elif secrets_used - _DEFAULT_TOKENS:
        signals.append(Signal(Tier.PIPELINE_ACTOR, f"{loaded.path} passes repository secrets to the setup steps."))
    return fact, signals


def vscode_mcp_facts(loaded: LoadedSource) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """MCP servers and prompted inputs of a .vscode/mcp.json document."""
    doc = loaded.data if isinstance(loaded.data, dict) else {}
    servers = mcp_facts(loaded, doc, wrappers=("servers", "mcpServers"))
    inputs = []
    for item in as_list(doc.get("inputs")):
        if isinstance(item, dict):
            inputs.append(
                {
                    "id": str(item.get("id", "")),
                    "type": str(item.get("type", "")),
                    "password": item.get("password") is True,
                }
            )
    return servers, inputs


def _chat_keys(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if isinstance(k, str) and k.startswith(("chat.", "github.copilot"))}


def chat_facts(loaded: LoadedSource, chat: dict[str, Any]) -> tuple[dict[str, Any], list[Signal]]:
    """Approval facts from the Copilot chat keys of .vscode/settings.json."""
    facts: dict[str, Any] = {}
    signals: list[Signal] = []
    auto_key = next((k for k in _AUTO_ALL_KEYS if k in chat), None)
    auto = chat.get(auto_key) if auto_key else None
    facts["approval"] = {
        "mode": f"{auto_key}={str(auto).lower()}" if auto_key else None,
        "auto_approve_all": auto is True if auto_key else None,
        "path": loaded.path,
        "line": loaded.line_of(f'"{auto_key}"') if auto_key else None,
    }
    terminal = chat.get("chat.tools.terminal.autoApprove")
    terminal_map = terminal if isinstance(terminal, dict) else {}
    approved = [
        str(k) for k, v in terminal_map.items() if v is True or (isinstance(v, dict) and v.get("approve") is True)
    ]
    everything = any(k.strip() in ("/.*/", "/.+/", "/^.*$/", "*") for k in approved)
    enabled = chat.get("chat.tools.terminal.enableAutoApprove")
    facts["shell"] = {
        "unrestricted": (auto is True) or (everything and enabled is not False),
        "rules": approved,
        "path": loaded.path,
        "line": loaded.line_of('"chat.tools.terminal.autoApprove"', f'"{auto_key}"' if auto_key else ""),
    }
    facts["vscode_chat"] = {
        "mcp_access": chat.get("chat.mcp.access"),
        "mcp_autostart": chat.get("chat.mcp.autostart"),
        "terminal_auto_approve": approved,
        "path": loaded.path,
        "line": loaded.line_of('"chat.'),
    }
    if auto is True:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} sets {auto_key}: every tool runs without approval."))
    elif approved:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} auto-approves some terminal commands."))
    return facts, signals


class CopilotCollector(RepositoryCollector):
    """Reads the Copilot coding agent setup steps, VS Code MCP servers, chat settings and instructions."""

    name = NAME
    description = (
        "GitHub Copilot: copilot-setup-steps.yml job, .vscode/mcp.json servers and inputs, "
        ".vscode/settings.json chat approval keys, instruction files."
    )
    docs_url = (
        "https://docs.github.com/en/copilot/how-tos/use-copilot-agents/coding-agent/customize-the-agent-environment"
    )
    marker_paths = (*SETUP_PATHS, ".vscode/mcp.json", ".github/copilot-instructions.md", ".github/instructions/")

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Copilot configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded: list[LoadedSource] = []
        facts: dict[str, Any] = {}
        signals: list[Signal] = []
        for relpath in SETUP_PATHS:
            setup = load_source(ctx, NAME, relpath, "yaml", out)
            if setup is None:
                continue
            loaded.append(setup)
            fact, more = setup_steps_facts(setup, setup.data)
            facts["copilot_setup_steps"] = fact
            signals.extend(more)
            break
        mcp = load_source(ctx, NAME, ".vscode/mcp.json", "jsonc", out)
        if mcp is not None:
            loaded.append(mcp)
            servers, inputs = vscode_mcp_facts(mcp)
            facts["mcp_servers"] = servers
            facts["vscode_inputs"] = inputs
        scratch = CollectorOutput()
        settings = load_source(ctx, NAME, ".vscode/settings.json", "jsonc", scratch)
        if settings is not None and isinstance(settings.data, dict) and _chat_keys(settings.data):
            out.extend(scratch)
            loaded.append(settings)
            more_facts, more = chat_facts(settings, _chat_keys(settings.data))
            facts.update(more_facts)
            signals.extend(more)
        elif scratch.errors and loaded:
            # A malformed settings file matters only where Copilot is otherwise configured.
            out.errors.extend(scratch.errors)
        instructions = present(ctx, [".github/copilot-instructions.md", "AGENTS.md"])
        instructions += [
            ctx.view.display(p) for p in list_files(ctx, ".github/instructions", ".instructions.md", out, NAME)
        ]
        instructions += [ctx.view.display(p) for p in list_files(ctx, ".github/prompts", ".prompt.md")]
        facts["instructions"] = sorted(instructions)
        if not loaded and any(i.endswith(("copilot-instructions.md", ".instructions.md")) for i in instructions):
            # Instructions alone show Copilot in use: a subject without settings (probes say not-available).
            facts.update({"sources": facts["instructions"], "scope": "project", "mcp_servers": [], "secrets": []})
            out.subjects.append(build_subject(NAME, ctx, facts["instructions"][0], facts, [], []))
            return out
        return finish(NAME, ctx, out, loaded, facts, signals)
