"""mcpServersPinned: MCP servers launched from a package registry or image pin an exact version or digest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.mcp_common import no_server, server_site, servers_not_collected
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe

_PIN_WORDS = {
    "none": "no version, so whatever the registry serves at start-up runs",
    "tag": "a mutable tag or version range",
}


class McpServersPinned(SubjectProbe):
    """One result per MCP server launched with npx, uvx, pipx, bunx, pnpm/yarn dlx, docker or podman."""

    id: ClassVar[str] = "mcpServersPinned"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False for each unpinned server; not-applicable when no server is launched from a package."""
        servers = subject.facts.get("mcp_servers")
        if not isinstance(servers, list):
            yield servers_not_collected(subject)
            return
        launched = [s for s in servers if s.get("pinned") is not None and not s.get("disabled")]
        if not launched:
            yield no_server(
                subject,
                f"{subject.name} launches no MCP server from a package registry or container image "
                f"({len(servers)} server(s) configured).",
            )
            return
        for server in launched:
            name, path, location = server_site(subject, server)
            launcher = str(server.get("launcher"))
            package = str(server.get("package") or "an unnamed package")
            if server.get("pinned"):
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{subject.name} pins MCP server {name} in {path} to {package} ({launcher}).",
                    location,
                    key=name,
                )
            else:
                why = _PIN_WORDS.get(str(server.get("pin")), "no exact version")
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{subject.name} runs MCP server {name} from {path} as `{launcher} {package}` with {why}.",
                    location,
                    {"server": name, "package": package, "launcher": launcher},
                    key=name,
                )
