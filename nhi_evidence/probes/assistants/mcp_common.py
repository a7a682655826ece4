"""Helpers shared by the assistant probes that judge each configured MCP server (``mcp_servers`` fact)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import Result


def servers_not_collected(subject: Subject) -> Result:
    """The not-available result for a subject whose MCP servers were not collected."""
    return Result(
        subject.id,
        Outcome.NOT_AVAILABLE,
        f"{subject.name}: its MCP servers were not collected.",
        Location(subject.path),
    )


def no_server(subject: Subject, message: str) -> Result:
    """The not-applicable result for a subject with no MCP server the probe judges."""
    return Result(subject.id, Outcome.NOT_APPLICABLE, message, Location(subject.path))


def server_site(subject: Subject, server: Mapping[str, Any]) -> tuple[str, str, Location]:
    """A server's name, the file that configures it (else the subject's path) and its location there."""
    path = str(server.get("path") or subject.path)
    line = server.get("line") if isinstance(server.get("line"), int) else None
    return str(server.get("name")), path, Location(path, line, str(server.get("pointer") or "") or None)
