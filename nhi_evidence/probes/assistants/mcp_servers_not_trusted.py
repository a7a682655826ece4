"""mcpServersNotTrusted: no MCP server is marked trusted (its tool calls still ask)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.mcp_common import no_server, server_site, servers_not_collected
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class McpServersNotTrusted(SubjectProbe):
    """One result per MCP server that states a trust flag; false for ``trust: true``."""

    id: ClassVar[str] = "mcpServersNotTrusted"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False for each trusted server; not-applicable when no server states trust."""
        servers = subject.facts.get("mcp_servers")
        if not isinstance(servers, list):
            yield servers_not_collected(subject)
            return
        stated = [s for s in servers if isinstance(s, dict) and s.get("trusted") is not None and not s.get("disabled")]
        if not stated:
            yield no_server(subject, f"{subject.name} configures no MCP server with a trust setting.")
            return
        for server in stated:
            name, path, location = server_site(subject, server)
            if server.get("trusted"):
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{subject.name} trusts MCP server {name} in {path}: its tools run without confirmation.",
                    location,
                    {"server": name},
                    key=name,
                )
            else:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{subject.name} asks before running the tools of MCP server {name} ({path}).",
                    location,
                    {"server": name},
                    key=name,
                )
