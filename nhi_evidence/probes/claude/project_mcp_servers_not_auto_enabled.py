"""projectMcpServersNotAutoEnabled: the project does not approve every .mcp.json server without a prompt."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact, location, settings_present
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ProjectMcpServersNotAutoEnabled(SubjectProbe):
    """False when ``enableAllProjectMcpServers`` is true in the project settings."""

    id: ClassVar[str] = "projectMcpServersNotAutoEnabled"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        auto = fact(subject, "mcp_auto_enable")
        servers = subject.facts.get("mcp_servers") or []
        if auto is None or not settings_present(subject):
            if servers:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{subject.name} has {len(servers)} project MCP server(s) and no project setting approving "
                    "them, so Claude Code asks before starting each one.",
                    Location(str(servers[0].get("path") or subject.path)),
                )
            else:
                yield Result(
                    subject.id,
                    Outcome.NOT_AVAILABLE,
                    f"{subject.name} has neither project settings nor .mcp.json; MCP approval cannot be decided.",
                    Location(subject.path),
                )
            return
        where = location(auto, subject)
        if auto.get("all") is True:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} trusts every project MCP server without a prompt: {where.path} sets "
                f"enableAllProjectMcpServers to true ({len(servers)} server(s) in .mcp.json today, and any added later).",
                where,
            )
            return
        approved = [str(name) for name in auto.get("servers") or []]
        note = f"; servers approved by name: {', '.join(approved)}" if approved else ""
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{subject.name} does not auto-enable project MCP servers{note}.",
            where,
            {"approved": approved},
        )
