"""remoteMcpServersUseTls: remote MCP servers are reached over HTTPS (or on the local machine)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.mcp_common import no_server, server_site, servers_not_collected
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class RemoteMcpServersUseTls(SubjectProbe):
    """One result per remote MCP server: false for plain ``http://`` to a host other than the local machine."""

    id: ClassVar[str] = "remoteMcpServersUseTls"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False for each server reached over plain HTTP; not-applicable without remote servers."""
        servers = subject.facts.get("mcp_servers")
        if not isinstance(servers, list):
            yield servers_not_collected(subject)
            return
        remote = [s for s in servers if s.get("remote") and not s.get("disabled")]
        if not remote:
            yield no_server(subject, f"{subject.name} configures no remote MCP server.")
            return
        for server in remote:
            name, path, location = server_site(subject, server)
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
