"""Cursor: MCP servers, CLI permissions, allowlists and rules.

Files read (relative to the repository, or to the home folder in a workstation scan):

- ``.cursor/mcp.json``: ``{"mcpServers": {name: {command, args, env} | {url, headers}}}``; ``${env:VAR}``
  interpolation. NOTE: parsed leniently as JSONC: real files carry comments and trailing commas and a
  strict parse would turn them into errors; Cursor's documentation does not say whether it accepts them.
- ``.cursor/cli.json`` (project; only ``permissions`` is honoured there) and ``.cursor/cli-config.json``
  (the global file, plain JSON, read in a workstation scan: ``permissions`` plus ``approvalMode``).
  Deny rules take precedence over allow rules. Rules:
  ``Shell(cmd)``, ``Read(glob)``, ``Write(glob)``, ``WebFetch(domain)``, ``Mcp(server:tool)``.
- ``.cursor/permissions.json`` (JSONC): ``mcpAllowlist``, ``terminalAllowlist`` (run without approval).
- Presence of ``.cursor/rules/``, ``.cursorrules`` and ``AGENTS.md`` (instructions).

Facts: the shared keys of ``facts.py`` plus ``cursor_allowlists`` (``{"mcp": [...], "terminal": [...]}``).
``approval.auto_approve_all`` is true when ``approvalMode`` is ``unrestricted`` (the CLI's "YOLO"
mode) or when the allow list grants every shell command, every write and every MCP tool.

Docs: https://cursor.com/docs/context/mcp ; https://cursor.com/docs/cli/reference/permissions ;
https://cursor.com/docs/cli/reference/configuration ; https://cursor.com/docs/reference/permissions ;
https://cursor.com/docs/context/rules
"""

from __future__ import annotations

import re
from typing import Any

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, build_subject, finish, mcp_facts, present, scope_of
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import Tier

NAME = "cursor"
_WILD = re.compile(r"^\*{1,2}$")


def _rule(rule: str) -> tuple[str, str | None]:
    """Split ``Tool(arg)`` into (tool, arg); a bare ``Tool`` gives (tool, None)."""
    match = re.match(r"^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$", rule, re.DOTALL)
    if not match:
        return rule.strip(), None
    return match.group(1), match.group(2)


def _grants_all(rules: list[str], tool: str) -> bool:
    for rule in rules:
        name, arg = _rule(rule)
        if name.lower() != tool.lower():
            continue
        if arg is None or _WILD.match(arg.strip()) or arg.strip() in ("*:*", "*, *", "*,*"):
            return True
    return False


def permission_facts(loaded: LoadedSource, data: Any, *, global_file: bool = False) -> dict[str, Any]:
    """Shared permission facts from a Cursor CLI config document.

    ``approvalMode`` is honoured only in the global ``cli-config.json``: a project ``cli.json`` may set
    nothing but ``permissions``.
    """
    block = data.get("permissions") if isinstance(data, dict) else None
    block = block if isinstance(block, dict) else {}
    allow = [str(r) for r in as_list(block.get("allow")) if isinstance(r, str)]
    deny = [str(r) for r in as_list(block.get("deny")) if isinstance(r, str)]
    line = loaded.line_of('"permissions"')
    shell_all = _grants_all(allow, "Shell") and not _grants_all(deny, "Shell")
    net_all = _grants_all(allow, "WebFetch") and not _grants_all(deny, "WebFetch")
    mcp_all = _grants_all(allow, "Mcp") and not _grants_all(deny, "Mcp")
    write_all = _grants_all(allow, "Write") and not _grants_all(deny, "Write")
    mode = data.get("approvalMode") if isinstance(data, dict) and global_file else None
    denied_reads = [r for r in deny if _rule(r)[0].lower() == "read"]
    env_denied = any(".env" in (_rule(r)[1] or "") for r in denied_reads)
    keys_denied = any(needle in (_rule(r)[1] or "") for r in denied_reads for needle in (".pem", ".key", ".ssh"))
    missing = [name for name, ok in ((".env files", env_denied), ("private keys", keys_denied)) if not ok]
    return {
        "permissions": {"allow": allow, "deny": deny, "ask": [], "path": loaded.path, "line": line},
        "approval": {
            "mode": str(mode) if mode is not None else None,
            "auto_approve_all": (str(mode).lower() in ("unrestricted", "yolo"))
            or (shell_all and write_all and mcp_all),
            "path": loaded.path,
            "line": loaded.line_of('"approvalMode"', '"permissions"'),
        },
        "shell": {
            "unrestricted": shell_all,
            "rules": [r for r in allow if _rule(r)[0].lower() == "shell"],
            "path": loaded.path,
            "line": loaded.line_of("Shell(", '"permissions"'),
        },
        "network": {
            "unrestricted": net_all,
            "rules": [r for r in allow if _rule(r)[0].lower() == "webfetch"],
            "path": loaded.path,
            "line": loaded.line_of("WebFetch(", '"permissions"'),
        },
        "secret_files_denied": {
            "denied": env_denied,
            "rules": denied_reads,
            "missing": missing,
            "path": loaded.path,
            "line": loaded.line_of('"deny"', '"permissions"'),
        },
        "cursor_mcp_all_tools": mcp_all,
    }


class CursorCollector(RepositoryCollector):
    """Reads Cursor's MCP servers, CLI permissions, allowlists and rules."""

    name = NAME
    description = "Cursor: .cursor/mcp.json, .cursor/cli.json permissions, permissions.json allowlists, rules."
    docs_url = "https://cursor.com/docs/cli/reference/permissions"
    marker_paths = (
        ".cursor/mcp.json",
        ".cursor/cli.json",
        ".cursor/permissions.json",
        ".cursor/rules/",
        ".cursorrules",
    )

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Cursor configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded: list[LoadedSource] = []
        facts: dict[str, Any] = {}
        signals: list[Signal] = []
        mcp = load_source(ctx, NAME, ".cursor/mcp.json", "jsonc", out)
        if mcp is not None:
            loaded.append(mcp)
            facts["mcp_servers"] = mcp_facts(mcp, mcp.data)
        cli_name = ".cursor/cli-config.json" if scope_of(ctx) == "user" else ".cursor/cli.json"
        # NOTE: cli-config.json is plain JSON (the CLI rewrites it); cli.json is parsed leniently.
        cli = load_source(ctx, NAME, cli_name, "jsonc", out)
        if cli is not None:
            loaded.append(cli)
            facts.update(permission_facts(cli, cli.data, global_file=cli_name.endswith("cli-config.json")))
            if facts["shell"]["unrestricted"]:
                signals.append(Signal(Tier.LOCAL_ACTOR, f"{cli.path} allows every shell command (Shell(**))."))
            elif facts["shell"]["rules"]:
                signals.append(Signal(Tier.LOCAL_ACTOR, f"{cli.path} allows shell commands without a prompt."))
            if any(_rule(r)[0].lower() == "write" for r in facts["permissions"]["allow"]):
                signals.append(Signal(Tier.LOCAL_ACTOR, f"{cli.path} allows file writes without a prompt."))
        perms = load_source(ctx, NAME, ".cursor/permissions.json", "jsonc", out)
        if perms is not None:
            loaded.append(perms)
            data = perms.data if isinstance(perms.data, dict) else {}
            terminal = [str(x) for x in as_list(data.get("terminalAllowlist")) if isinstance(x, str)]
            mcp_allow = [str(x) for x in as_list(data.get("mcpAllowlist")) if isinstance(x, str)]
            facts["cursor_allowlists"] = {"mcp": mcp_allow, "terminal": terminal, "path": perms.path}
            if terminal:
                signals.append(Signal(Tier.LOCAL_ACTOR, f"{perms.path} lets terminal commands run without approval."))
                if "shell" not in facts and any(_WILD.match(t.strip()) for t in terminal):
                    facts["shell"] = {
                        "unrestricted": True,
                        "rules": terminal,
                        "path": perms.path,
                        "line": perms.line_of('"terminalAllowlist"'),
                    }
        instructions = present(ctx, [".cursor/rules/", ".cursorrules", "AGENTS.md"])
        if loaded or instructions:
            facts["instructions"] = instructions
        if not loaded and any(".cursor" in item for item in instructions):
            # Rules alone still make Cursor in use; record the subject without settings.
            facts.setdefault("sources", instructions)
            return _rules_only(ctx, out, facts)
        return finish(NAME, ctx, out, loaded, facts, signals)


def _rules_only(ctx: RepoContext, out: CollectorOutput, facts: dict[str, Any]) -> CollectorOutput:
    facts.setdefault("scope", scope_of(ctx))
    facts.setdefault("mcp_servers", [])
    facts.setdefault("secrets", [])
    out.subjects.append(build_subject(NAME, ctx, facts["sources"][0], facts, [], []))
    return out
