"""OpenAI Codex: approval policy, sandbox, MCP servers, profiles and environment policy.

File read: ``.codex/config.toml`` (TOML 1.0; ``~/.codex/config.toml`` in a workstation scan), plus
presence of ``AGENTS.md`` / ``AGENTS.override.md`` (instructions).

NOTE: Codex loads a project's ``.codex/`` layer only when the project is trusted, and resolves values
as CLI flags > the selected profile > project config (closest folder wins) > user config >
``/etc/codex/config.toml`` > defaults (https://developers.openai.com/codex/config-basic). A committed
project file is recorded as written: whether a developer trusts the project is in their own
``~/.codex/config.toml`` (``[projects."<path>"] trust_level``), seen only by a workstation scan.

Settings read:
- ``approval_policy``: ``untrusted`` | ``on-request`` | ``on-failure`` (legacy) | ``never``; also the
  granular table form (``approval_policy = { granular = {...} }``), recorded as ``granular``.
- ``sandbox_mode``: ``read-only`` | ``workspace-write`` | ``danger-full-access``; the newer
  ``default_permissions`` (``:read-only`` | ``:workspace`` | ``:danger-full-access`` or a profile name).
- ``[sandbox_workspace_write] network_access`` and ``writable_roots``.
- ``[mcp_servers.<name>]``: ``command``, ``args``, ``env``, ``url``, ``bearer_token_env_var``,
  ``http_headers``, ``env_http_headers``, ``enabled``, ``enabled_tools``.
- ``[profiles.<name>]``: the same approval and sandbox keys; the active ``profile`` applies over the
  root values, so the effective values are taken from it when one is set.
- ``[shell_environment_policy]``: ``inherit`` (``all`` | ``core`` | ``none``), ``set``, ``exclude``,
  ``ignore_default_excludes``.
- ``[[hooks.<Event>]]`` tables, ``notify``, ``[otel]``, ``[projects."<path>"] trust_level``.

Facts: the shared keys of ``facts.py`` plus ``codex_profiles`` (``[{name, approval_policy,
sandbox_mode, network_access}]``), ``codex_active_profile``, ``shell_environment_policy``
(``{inherit, set_keys, exclude, path, line}``) and ``codex_trusted_projects`` (count).

Docs: https://developers.openai.com/codex/config-reference ; https://developers.openai.com/codex/config-basic ;
https://developers.openai.com/codex/config-advanced#profiles ;
https://developers.openai.com/codex/agent-approvals-security ; https://developers.openai.com/codex/mcp
"""

from __future__ import annotations

from typing import Any

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, finish, mcp_facts, present, where
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import Tier

NAME = "codex"

_PERMISSION_TO_SANDBOX = {
    ":read-only": "read-only",
    ":workspace": "workspace-write",
    ":danger-full-access": "danger-full-access",
}


def _approval_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return "granular"
    return str(value)


def _profile(name: str, block: dict[str, Any]) -> dict[str, Any]:
    sww = block.get("sandbox_workspace_write")
    network = sww.get("network_access") if isinstance(sww, dict) else None
    return {
        "name": name,
        "approval_policy": _approval_value(block.get("approval_policy")),
        "sandbox_mode": block.get("sandbox_mode")
        or _PERMISSION_TO_SANDBOX.get(str(block.get("default_permissions") or "")),
        "network_access": network if isinstance(network, bool) else None,
    }


def config_facts(loaded: LoadedSource, data: Any) -> tuple[dict[str, Any], list[Signal]]:
    """Shared and Codex-specific facts of one config.toml document, and capability signals."""
    doc: dict[str, Any] = data if isinstance(data, dict) else {}
    facts: dict[str, Any] = {}
    signals: list[Signal] = []
    root = _profile("", doc)
    raw_profiles = doc.get("profiles")
    profiles_block: dict[str, Any] = raw_profiles if isinstance(raw_profiles, dict) else {}
    profiles = [_profile(str(n), b) for n, b in sorted(profiles_block.items()) if isinstance(b, dict)]
    active_name = doc.get("profile") if isinstance(doc.get("profile"), str) else None
    active = next((p for p in profiles if p["name"] == active_name), None)
    effective = dict(root)
    if active is not None:
        effective.update({k: v for k, v in active.items() if v is not None and k != "name"})
    facts["codex_profiles"] = profiles
    facts["codex_active_profile"] = active_name
    approval = effective["approval_policy"]
    sandbox = effective["sandbox_mode"]
    network = effective["network_access"]
    facts["approval"] = {
        "mode": approval,
        "auto_approve_all": None if approval is None else approval == "never",
        **where(loaded, "approval_policy"),
    }
    enabled = None if sandbox is None else sandbox != "danger-full-access"
    # Network access inside the sandbox: workspace-write keeps it off unless network_access is true;
    # danger-full-access has no sandbox, so the network is open.
    if sandbox == "danger-full-access":
        net: bool | None = True
    elif sandbox == "read-only":
        net = bool(network) if network is not None else False
    else:
        net = network
    facts["sandbox"] = {
        "enabled": enabled,
        "mode": sandbox,
        "network": net,
        **where(loaded, "sandbox_mode", "default_permissions", "network_access"),
    }
    facts["network"] = {"unrestricted": net, "rules": [], **where(loaded, "network_access", "sandbox_mode")}
    shell_free = approval == "never" and sandbox == "danger-full-access"
    facts["shell"] = {
        "unrestricted": shell_free if (approval is not None and sandbox is not None) else None,
        "rules": [],
        **where(loaded, "approval_policy", "sandbox_mode"),
    }
    every = [root, *profiles]
    if any(p["approval_policy"] == "never" and p["sandbox_mode"] == "danger-full-access" for p in every):
        signals.append(
            Signal(
                Tier.LOCAL_ACTOR,
                f"{loaded.path} runs Codex with approval_policy never and sandbox_mode danger-full-access "
                "(commands run unasked with full access).",
            )
        )
    if sandbox in ("workspace-write", "danger-full-access"):
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} lets Codex write files ({sandbox})."))
    servers_block = doc.get("mcp_servers")
    if isinstance(servers_block, dict):
        servers = mcp_facts(loaded, doc, wrappers=("mcp_servers",))
        for server in servers:
            entry = servers_block.get(server["name"], {})
            if isinstance(entry, dict):
                if entry.get("enabled") is False:
                    server["disabled"] = True
                if entry.get("bearer_token_env_var") or entry.get("env_http_headers"):
                    server["header_keys"] = sorted(
                        {*server["header_keys"], *(["Authorization"] if entry.get("bearer_token_env_var") else [])}
                        | {str(k) for k in (entry.get("env_http_headers") or {})}
                    )
                if isinstance(entry.get("enabled_tools"), list):
                    server["tools"] = [str(t) for t in entry["enabled_tools"]]
        facts["mcp_servers"] = servers
    policy = doc.get("shell_environment_policy")
    if isinstance(policy, dict):
        set_block = policy.get("set")
        facts["shell_environment_policy"] = {
            "inherit": policy.get("inherit"),
            "set_keys": sorted(str(k) for k in set_block) if isinstance(set_block, dict) else [],
            "exclude": [str(x) for x in as_list(policy.get("exclude"))],
            "ignore_default_excludes": policy.get("ignore_default_excludes"),
            **where(loaded, "[shell_environment_policy]", "shell_environment_policy"),
        }
    hooks_block = doc.get("hooks")
    hooks: list[dict[str, Any]] = []
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
                                **where(loaded, f"hooks.{event}"),
                            }
                        )
    if doc.get("notify"):
        hooks.append({"event": "notify", "matcher": None, "command": doc.get("notify"), **where(loaded, "notify")})
    facts["hooks"] = hooks
    otel = doc.get("otel")
    if isinstance(otel, dict):
        exporter = otel.get("exporter")
        exporter_name = next(iter(exporter), None) if isinstance(exporter, dict) else exporter
        facts["telemetry"] = {
            "enabled": exporter_name not in (None, "none"),
            "exporter": str(exporter_name) if exporter_name is not None else None,
            "endpoint_set": isinstance(exporter, dict),
            "log_user_prompt": otel.get("log_user_prompt"),
            **where(loaded, "[otel]"),
        }
    projects = doc.get("projects")
    if isinstance(projects, dict):
        facts["codex_trusted_projects"] = sum(
            1 for p in projects.values() if isinstance(p, dict) and p.get("trust_level") == "trusted"
        )
    return facts, signals


class CodexCollector(RepositoryCollector):
    """Reads OpenAI Codex's config.toml."""

    name = NAME
    description = "OpenAI Codex: .codex/config.toml approval policy, sandbox, MCP servers, profiles; AGENTS.md."
    docs_url = "https://developers.openai.com/codex/config-reference"
    marker_paths = (".codex/config.toml",)

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Codex configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded = load_source(ctx, NAME, ".codex/config.toml", "toml", out)
        if loaded is None:
            return out
        facts, signals = config_facts(loaded, loaded.data)
        facts["instructions"] = present(ctx, ["AGENTS.md", "AGENTS.override.md", ".codex/AGENTS.md"])
        return finish(NAME, ctx, out, [loaded], facts, signals)
