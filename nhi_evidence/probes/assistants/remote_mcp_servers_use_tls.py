"""remoteMcpServersUseTls: remote MCP servers are reached over HTTPS (or on the local machine)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class RemoteMcpServersUseTls(SubjectProbe):
    """One result per remote MCP server: false for plain ``http://`` to a host other than the local machine."""

    id: ClassVar[str] = "remoteMcpServersUseTls"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False for each server reached over plain HTTP; not-applicable without remote servers."""
        servers = subject.facts.get("mcp_servers")
        if not isinstance(servers, list):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name}: its MCP servers were not collected.",
                Location(subject.path),
            )
            return
        remote = [s for s in servers if s.get("remote") and not s.get("disabled")]
        if not remote:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"{subject.name} configures no remote MCP server.",
                Location(subject.path),
            )
            return
        for server in remote:
            path = str(server.get("path") or subject.path)
            line = server.get("line") if isinstance(server.get("line"), int) else None
            name = str(server.get("name"))
            location = Location(path, line, str(server.get("pointer") or "") or None)
            credentials = server.get("header_keys") or []
            if server.get("insecure_http"):
                extra = f", sending header(s) {', '.join(credentials)} in clear" if credentials else ""
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{subject.name} reaches MCP server {name} from {path} over plain HTTP to a remote host{extra}.",
                    location,
                    {"server": name},
                    key=name,
                )
            else:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{subject.name} reaches MCP server {name} from {path} over HTTPS or on the local machine.",
                    location,
                    key=name,
                )
