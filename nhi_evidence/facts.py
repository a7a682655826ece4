"""The vocabulary of subject facts: what collectors record and probes read.

Facts are plain JSON-compatible values (they travel between processes and into the JSON contract).
A key absent means "not collected"; ``None`` means "collected but not stated" (the tool's default
applies); probes turn absent evidence into ``not-available``, never into ``false``.

Assistant configuration subjects (kinds ``claude-code``, ``cursor``, ``copilot``, ``codex``, ``gemini-cli``,
``aider``, ``continue``) share these keys, so one probe serves every assistant:

``sources``            list of paths read for the subject (relative to the scanned root)
``scope``              ``project`` | ``user`` | ``managed`` | ``effective`` (after precedence is applied)
``mcp_servers``        list of ``mcp_server`` facts (see ``collectors/mcp.py``)
``secrets``            list of ``{"detector", "fingerprint", "path", "line", "pointer", "key"}`` (never values)
``permissions``        ``{"allow": [...], "deny": [...], "ask": [...], "path", "line"}`` in the tool's own rule syntax
``approval``           ``{"mode": <tool's value or None>, "auto_approve_all": bool|None, "path", "line"}``
``shell``              ``{"unrestricted": bool|None, "rules": [...], "path", "line"}``: may run any command unasked
``network``            ``{"unrestricted": bool|None, "rules": [...], "path", "line"}``: may fetch any URL unasked
``sandbox``            ``{"enabled": bool|None, "network": bool|None, "path", "line"}``
``secret_files_denied`` ``{"denied": bool, "rules": [...], "missing": [...], "path", "line"}``
``hooks``              list of ``{"event", "matcher", "command", "path", "line"}``
``telemetry``          ``{"enabled": bool|None, "exporter": str|None, "endpoint_set": bool, "path", "line"}``
``instructions``       list of instruction files present (CLAUDE.md, AGENTS.md, .cursor/rules, ...)
``mcp_auto_enable``    ``{"all": bool|None, "servers": [...], "path", "line"}``: project MCP servers trusted without a prompt

CI workflow job subjects (kind ``ci-workflow``) record the workflow facts documented in
``collectors/ci_workflows.py``.
"""

from __future__ import annotations

from typing import Any

#: Subject kinds that describe an assistant's own configuration.
ASSISTANT_KINDS: tuple[str, ...] = ("claude-code", "cursor", "copilot", "codex", "gemini-cli", "aider", "continue")

#: Every subject kind that is an assistant identity (configuration or CI job).
IDENTITY_KINDS: tuple[str, ...] = (*ASSISTANT_KINDS, "ci-workflow")


def secret_record(
    detector: str, fingerprint: str, path: str, line: int | None, pointer: str, key: str
) -> dict[str, Any]:
    """One ``secrets`` fact entry."""
    return {
        "detector": detector,
        "fingerprint": fingerprint,
        "path": path,
        "line": line,
        "pointer": pointer,
        "key": key,
    }
