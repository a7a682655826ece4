"""Gemini CLI: tool allow and exclude lists, approval mode, sandbox, MCP servers, telemetry, hooks.

File read: ``.gemini/settings.json`` (``~/.gemini/settings.json`` in a workstation scan), parsed as
JSONC (the CLI strips comments before parsing), plus presence of ``GEMINI.md`` and ``AGENTS.md``.

Both layouts are read, the nested one winning when a setting appears in both:

=====================  ==================================  ===================================
Setting                Older flat layout                   Nested layout (v0.3.0 and later)
=====================  ==================================  ===================================
tools always allowed   ``allowedTools``                    ``tools.allowed``
tools available        ``coreTools``                       ``tools.core``
tools excluded         ``excludeTools``                    ``tools.exclude``
sandbox                ``sandbox``                         ``tools.sandbox``
approval               ``autoAccept``                      ``general.defaultApprovalMode``
YOLO disabled          -                                   ``security.disableYoloMode``
folder trust           ``folderTrustFeature``              ``security.folderTrust.enabled``
telemetry              ``telemetry``                       ``telemetry``
MCP servers            ``mcpServers``                      ``mcpServers`` (``trust: true`` skips
                                                           every confirmation of the server)
MCP allow/deny         ``allowMCPServers``/``excludeMCP…`` ``mcp.allowed`` / ``mcp.excluded``
=====================  ==================================  ===================================

NOTE: recent documentation lists ``default``, ``auto_edit`` and ``plan`` for
``general.defaultApprovalMode`` and says YOLO is enabled only on the command line; older releases
accepted ``yolo`` there. A ``yolo`` value is recorded as approve-all, since that is what the file asks for.
NOTE: one corpus file nests a whole copy of the settings under ``model``; only the documented
locations are read. ``$VAR``/``${VAR}`` in strings are references (the CLI expands them).

Facts: the shared keys of ``facts.py`` plus ``gemini_layout`` (``flat`` | ``nested`` | ``mixed``),
``gemini_folder_trust`` and ``gemini_yolo_disabled``.

Docs: https://geminicli.com/docs/cli/configuration ; https://geminicli.com/docs/cli/enterprise ;
https://geminicli.com/docs/tools/mcp-server ;
https://raw.githubusercontent.com/google-gemini/gemini-cli/main/schemas/settings.schema.json
"""

from __future__ import annotations

from typing import Any

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, finish, get_path, mcp_facts, present, where
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import Tier

NAME = "gemini-cli"
_NESTED_GROUPS = ("general", "tools", "security", "ui", "privacy", "mcp", "context", "advanced", "experimental")
_SHELL_TOOLS = ("run_shell_command", "ShellTool")
_WEB_TOOLS = ("web_fetch", "WebFetchTool", "google_web_search")


def _first(doc: dict[str, Any], *paths: str) -> tuple[Any, str | None]:
    for path in paths:
        value = get_path(doc, path)
        if value is not None:
            return value, path
    return None, None


def settings_facts(loaded: LoadedSource, data: Any) -> tuple[dict[str, Any], list[Signal]]:
    """Shared and Gemini-specific facts of one settings.json document, and capability signals."""
    doc: dict[str, Any] = data if isinstance(data, dict) else {}
    facts: dict[str, Any] = {}
    signals: list[Signal] = []
    nested = any(isinstance(doc.get(group), dict) for group in _NESTED_GROUPS)
    flat = any(k in doc for k in ("coreTools", "excludeTools", "allowedTools", "autoAccept", "sandbox"))
    facts["gemini_layout"] = "mixed" if nested and flat else "nested" if nested else "flat"
    allowed = [str(x) for x in as_list(_first(doc, "tools.allowed", "allowedTools")[0]) if isinstance(x, str)]
    core = [str(x) for x in as_list(_first(doc, "tools.core", "coreTools")[0]) if isinstance(x, str)]
    exclude = [str(x) for x in as_list(_first(doc, "tools.exclude", "excludeTools")[0]) if isinstance(x, str)]
    if allowed or core or exclude:
        facts["permissions"] = {
            "allow": allowed,
            "deny": exclude,
            "ask": [],
            "core": core,
            **where(loaded, '"allowed"', '"allowedTools"', '"exclude"', '"excludeTools"', '"core"', '"coreTools"'),
        }
    mode, mode_path = _first(doc, "general.defaultApprovalMode")
    auto_accept = doc.get("autoAccept")
    yolo_disabled = get_path(doc, "security.disableYoloMode")
    if mode is not None:
        auto_all: bool | None = str(mode).lower() == "yolo"
        shown_mode: str | None = str(mode)
    elif auto_accept is not None:
        # autoAccept approves only tools the CLI considers safe (read-only ones), not every tool.
        auto_all, shown_mode = False, f"autoAccept={str(auto_accept).lower()}"
    else:
        auto_all, shown_mode = None, None
    facts["approval"] = {
        "mode": shown_mode,
        "auto_approve_all": auto_all,
        **where(loaded, '"defaultApprovalMode"', '"autoAccept"'),
    }
    if mode_path is None and auto_accept is None:
        facts["approval"]["path"] = None
    facts["gemini_yolo_disabled"] = yolo_disabled if isinstance(yolo_disabled, bool) else None
    shell_rules = [a for a in allowed if a.split("(", 1)[0] in _SHELL_TOOLS]
    shell_free = any(a in _SHELL_TOOLS for a in allowed) and not any(e in _SHELL_TOOLS for e in exclude)
    facts["shell"] = {
        "unrestricted": shell_free or auto_all is True,
        "rules": shell_rules,
        **where(loaded, "run_shell_command", '"allowed"', '"defaultApprovalMode"'),
    }
    web_allowed = [a for a in allowed if a.split("(", 1)[0] in _WEB_TOOLS]
    facts["network"] = {
        "unrestricted": bool(web_allowed) or auto_all is True,
        "rules": web_allowed,
        **where(loaded, "web_fetch", '"allowed"'),
    }
    sandbox, _ = _first(doc, "tools.sandbox", "sandbox")
    if sandbox is None:
        enabled: bool | None = None
    elif isinstance(sandbox, bool):
        enabled = sandbox
    elif isinstance(sandbox, str):
        enabled = sandbox.lower() not in ("", "false", "none", "off")
    else:
        enabled = True
    facts["sandbox"] = {
        "enabled": enabled,
        "mode": sandbox if isinstance(sandbox, (str, bool)) else None,
        "network": None,
        **where(loaded, '"sandbox"'),
    }
    trust, _ = _first(doc, "security.folderTrust.enabled", "folderTrustFeature")
    facts["gemini_folder_trust"] = trust if isinstance(trust, bool) else None
    servers = mcp_facts(loaded, doc, wrappers=("mcpServers",)) if isinstance(doc.get("mcpServers"), dict) else []
    servers_value = doc.get("mcpServers")
    raw_servers: dict[str, Any] = servers_value if isinstance(servers_value, dict) else {}
    for server in servers:
        entry = raw_servers.get(server["name"], {})
        if isinstance(entry, dict) and isinstance(entry.get("includeTools"), list):
            server["tools"] = [str(t) for t in entry["includeTools"]]
    facts["mcp_servers"] = servers
    excluded_servers = [str(x) for x in as_list(_first(doc, "mcp.excluded", "excludeMCPServers")[0])]
    allowed_servers = [str(x) for x in as_list(_first(doc, "mcp.allowed", "allowMCPServers")[0])]
    facts["gemini_mcp_lists"] = {"allowed": allowed_servers, "excluded": excluded_servers}
    telemetry = doc.get("telemetry")
    if isinstance(telemetry, dict):
        facts["telemetry"] = {
            "enabled": telemetry.get("enabled") if isinstance(telemetry.get("enabled"), bool) else None,
            "exporter": str(telemetry.get("target")) if telemetry.get("target") else None,
            "endpoint_set": bool(telemetry.get("otlpEndpoint")),
            "log_prompts": telemetry.get("logPrompts"),
            **where(loaded, '"telemetry"'),
        }
    elif isinstance(telemetry, bool):
        facts["telemetry"] = {
            "enabled": telemetry,
            "exporter": None,
            "endpoint_set": False,
            **where(loaded, '"telemetry"'),
        }
    hooks: list[dict[str, Any]] = []
    hooks_block = doc.get("hooks")
    if isinstance(hooks_block, dict):
        for event, groups in sorted(hooks_block.items()):
            for group in as_list(groups):
                if not isinstance(group, dict):
                    continue
                for hook in as_list(group.get("hooks")) or [group]:
                    if isinstance(hook, dict) and hook.get("command"):
                        hooks.append(
                            {
                                "event": str(event),
                                "matcher": group.get("matcher"),
                                "command": hook.get("command"),
                                **where(loaded, f'"{event}"'),
                            }
                        )
    facts["hooks"] = hooks
    if auto_all:
        signals.append(
            Signal(Tier.LOCAL_ACTOR, f"{loaded.path} sets the default approval mode to yolo (every tool runs unasked).")
        )
    if shell_free:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} allows run_shell_command without confirmation."))
    elif shell_rules:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} allows some shell commands without confirmation."))
    trusted = [s["name"] for s in servers if s.get("trusted")]
    if trusted:
        signals.append(
            Signal(
                Tier.LOCAL_ACTOR, f"{loaded.path} trusts MCP server(s) {', '.join(trusted)}: their tools run unasked."
            )
        )
    return facts, signals


class GeminiCollector(RepositoryCollector):
    """Reads Gemini CLI's settings.json (flat and nested layouts)."""

    name = NAME
    description = "Gemini CLI: .gemini/settings.json tools, approval mode, sandbox, MCP servers (trust), telemetry."
    docs_url = "https://geminicli.com/docs/cli/configuration"
    marker_paths = (".gemini/settings.json",)

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Gemini CLI configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded = load_source(ctx, NAME, ".gemini/settings.json", "jsonc", out)
        if loaded is None:
            return out
        facts, signals = settings_facts(loaded, loaded.data)
        facts["instructions"] = present(ctx, ["GEMINI.md", ".gemini/GEMINI.md", "AGENTS.md"])
        return finish(NAME, ctx, out, [loaded], facts, signals)
