"""Continue: models and their keys, MCP servers, rules and data destinations.

Files read: ``.continue/config.yaml`` (``~/.continue/config.yaml`` in a workstation scan) and MCP
blocks in ``.continue/mcpServers/*.yaml`` (each a YAML file with its own ``mcpServers`` list), plus
presence of ``.continue/rules/`` (instructions).

Settings read:
- ``models[]``: ``name``, ``provider``, ``model``, ``apiKey`` (inline keys are reported as secrets by
  fingerprint; ``${{ secrets.X }}`` and ``$VAR`` are references), ``apiBase``, ``requestOptions.headers``.
- ``mcpServers[]``: a list of named entries (``name``, ``command``, ``args``, ``env``, ``type``, ``url``).
- ``data[]``: ``destination`` of development data exports (a remote URL sends prompts and edits out).

NOTE: Continue's tool policies (ask first / automatic / excluded) are kept in the IDE's settings, not
in config.yaml, so no approval fact is recorded.

Facts: the shared keys of ``facts.py`` plus ``continue_models`` (``[{name, provider, api_key:
literal|reference|none, api_base_insecure}]``) and ``continue_data_destinations`` (``[{destination,
remote}]``).

Docs: https://docs.continue.dev/reference ; https://docs.continue.dev/customize/deep-dives/mcp ;
https://docs.continue.dev/customize/deep-dives/development-data
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, finish, list_files, mcp_facts, present
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import Tier
from nhi_evidence.secretscan import MARKER, is_reference

NAME = "continue"
_LOCAL = ("localhost", "127.0.0.1", "::1")


def _insecure(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") not in _LOCAL


def config_facts(loaded: LoadedSource, data: Any) -> tuple[dict[str, Any], list[Signal]]:
    """Shared and Continue-specific facts of one config.yaml document, and capability signals."""
    doc: dict[str, Any] = data if isinstance(data, dict) else {}
    models = []
    for model in as_list(doc.get("models")):
        if not isinstance(model, dict):
            continue
        key = model.get("apiKey")
        if key is None or key == "":
            kind = "none"
        elif isinstance(key, str) and (is_reference(key) or key.startswith("${{")):
            kind = "reference"
        else:
            kind = "literal"
        base = str(model.get("apiBase") or "")
        models.append(
            {
                "name": str(model.get("name", "")),
                "provider": str(model.get("provider", "")),
                "api_key": kind,
                "api_key_redacted": isinstance(key, str) and bool(MARKER.search(key)),
                "api_base_insecure": bool(base) and _insecure(base),
            }
        )
    destinations = []
    for item in as_list(doc.get("data")):
        if isinstance(item, dict) and item.get("destination"):
            dest = str(item["destination"])
            destinations.append({"destination": dest, "remote": dest.startswith(("http://", "https://"))})
    facts: dict[str, Any] = {"continue_models": models, "continue_data_destinations": destinations}
    if any(d["remote"] for d in destinations):
        facts["telemetry"] = {
            "enabled": True,
            "exporter": "continue-data",
            "endpoint_set": True,
            "path": loaded.path,
            "line": loaded.line_of("data:"),
        }
    signals = []
    if doc.get("mcpServers"):
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} gives Continue's agent MCP tools."))
    return facts, signals


class ContinueCollector(RepositoryCollector):
    """Reads Continue's config.yaml and MCP server blocks."""

    name = NAME
    description = "Continue: .continue/config.yaml models and keys, MCP servers, data destinations; rules."
    docs_url = "https://docs.continue.dev/reference"
    marker_paths = (".continue/config.yaml", ".continue/mcpServers/")

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Continue configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded: list[LoadedSource] = []
        facts: dict[str, Any] = {}
        signals: list[Signal] = []
        servers: list[dict[str, Any]] = []
        config = load_source(ctx, NAME, ".continue/config.yaml", "yaml", out)
        if config is not None:
            loaded.append(config)
            more, signals = config_facts(config, config.data)
            facts.update(more)
            if isinstance(config.data, dict):
                servers.extend(mcp_facts(config, config.data, wrappers=("mcpServers",)))
        blocks = list_files(ctx, ".continue/mcpServers", ".yaml", out, NAME)
        for relpath in blocks + list_files(ctx, ".continue/mcpServers", ".yml"):
            block = load_source(ctx, NAME, relpath, "yaml", out)
            if block is None:
                continue
            loaded.append(block)
            if isinstance(block.data, dict):
                servers.extend(mcp_facts(block, block.data, wrappers=("mcpServers",)))
        facts["mcp_servers"] = servers
        facts["instructions"] = present(ctx, [".continue/rules/", "AGENTS.md"])
        return finish(NAME, ctx, out, loaded, facts, signals)
