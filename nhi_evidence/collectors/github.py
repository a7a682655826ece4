"""GitHub governance collectors: the live API (``--github-org``, ``--github-repo``) or a saved export (``--github-export``).

One subject of kind ``github-organization`` per organisation and one of kind ``github-repository`` per
repository, with the normalised facts of ``governance.py``; every endpoint that could not be read is
listed under ``unavailable`` with the reason (403/404: missing permission or not visible), and the
probes turn it into not-available outcomes. An export, when given, takes precedence over the live API.
"""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path
from typing import Any, ClassVar

from nhi_evidence.collectors.interface import CollectorOutput, SourceCollector, SourceContext, evidence_id, subject_id
from nhi_evidence.github.accounts import inventory_hints
from nhi_evidence.github.client import GitHubClient
from nhi_evidence.github.governance import gather
from nhi_evidence.github.sources import ApiSource, ExportSource, LiveSource
from nhi_evidence.model import Capability, CollectionError, Evidence, Subject, Tier
from nhi_evidence.secretscan import redact_document

ORG_KIND = "github-organization"
REPO_KIND = "github-repository"


class _GitHubBase(SourceCollector):
    docs_url: ClassVar[str] = "https://docs.github.com/en/rest"

    def collect(self, ctx: SourceContext) -> CollectorOutput:
        """Gather and turn facts into subjects."""
        out = CollectorOutput()
        inventory = ctx.options.get("inventory")
        extra = inventory_hints(str(inventory))[0] if inventory else {}
        prepared = self.prepare(ctx, out)
        if prepared is None:
            return out
        source, org, repos, origin = prepared
        org_facts, repo_facts, problem = gather(source, org, repos, extra)
        if isinstance(source, LiveSource) and source.client.answered == 0:
            out.errors.append(
                CollectionError(
                    origin,
                    f"No answer from the GitHub API at {source.client.base_url}; every setting is not available.",
                    self.name,
                )
            )
        if problem:
            out.errors.append(
                CollectionError(
                    f"{origin}/orgs/{org}/repos", f"Could not list the repositories of {org}: {problem}.", self.name
                )
            )
        if isinstance(source, ExportSource):
            for issue in source.problems:
                out.errors.append(
                    CollectionError(
                        f"{origin}/{issue.split(':', 1)[0]}", f"GitHub export {origin}: {issue}.", self.name
                    )
                )
        if org_facts is not None:
            self._subject(out, ctx, ORG_KIND, org, f"GitHub organisation {org}", f"orgs/{org}", origin, org_facts)
        for facts in repo_facts:
            name = str(facts["repository"])
            self._subject(out, ctx, REPO_KIND, name, f"GitHub repository {name}", f"repos/{name}", origin, facts)
        return out

    def prepare(self, ctx: SourceContext, out: CollectorOutput) -> tuple[ApiSource, str, list[str], str] | None:
        """(source, org, repositories, origin label) or None when nothing can be read."""
        raise NotImplementedError

    def _subject(
        self,
        out: CollectorOutput,
        ctx: SourceContext,
        kind: str,
        name: str,
        label: str,
        path: str,
        origin: str,
        facts: dict[str, Any],
    ) -> None:
        # The subject's path is the same live and offline ("github://repos/acme/api") so that ids and
        # finding keys match between runs; the evidence records where the answers came from.
        source = f"{origin}/{path}"
        data, _hits = redact_document(facts)
        raw = json.dumps(data, sort_keys=True).encode()
        evidence = Evidence(
            id=evidence_id(self.name, source),
            collector=self.name,
            source=source,
            media_type="application/json",
            sha256=sha256(raw).hexdigest(),
            size=len(raw),
            collected_at=ctx.clock(),
            data=data,
        )
        out.evidence.append(evidence)
        seen: list[str] = []
        for install in data.get("installations") or ():
            seen.extend([str(install.get("app_slug", "")).lower(), f"{str(install.get('app_slug', '')).lower()}[bot]"])
        out.subjects.append(
            Subject(
                id=subject_id(kind, "", f"github/{name}"),
                kind=kind,
                name=label,
                path=f"github://{path}",
                repository=name if kind == REPO_KIND else "",
                capability=Capability(Tier.ADVISORY, (f"Governance settings of {label}.",)),
                facts={**data, "accounts_seen": sorted(set(seen))},
                evidence_ids=(evidence.id,),
            )
        )


def _repos(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or ()]


class GitHubExportCollector(_GitHubBase):
    """Reads a saved export folder."""

    name: ClassVar[str] = "github-export"
    description: ClassVar[str] = "GitHub governance settings from a saved API export (--github-export)."
    option: ClassVar[str] = "github_export"

    def prepare(self, ctx: SourceContext, out: CollectorOutput) -> tuple[ApiSource, str, list[str], str] | None:
        """The export folder and the org and repositories its manifest names (options narrow them)."""
        root = Path(str(ctx.options.get(self.option)))
        shown = str(ctx.options.get(self.option))
        if not root.is_dir():
            out.errors.append(
                CollectionError(shown, f"{shown}: not a folder (give a GitHub export folder).", self.name)
            )
            return None
        source = ExportSource(root)
        manifest = source.manifest()
        org = str(ctx.options.get("github_org") or manifest.get("org") or "")
        repos = _repos(ctx.options.get("github_repos")) or _repos(manifest.get("repositories"))
        if not org and not repos:
            out.errors.append(
                CollectionError(shown, f"{shown}: the manifest names no organisation or repository.", self.name)
            )
            return None
        return source, org, repos, f"github-export://{root.name}"


class GitHubOrgCollector(_GitHubBase):
    """Reads the live API for an organisation (and the named repositories, else all of its repositories)."""

    name: ClassVar[str] = "github"
    description: ClassVar[str] = "GitHub governance settings from the REST API (--github-org, GITHUB_TOKEN)."
    option: ClassVar[str] = "github_org"

    def prepare(self, ctx: SourceContext, out: CollectorOutput) -> tuple[ApiSource, str, list[str], str] | None:
        """The live API, unless an export is given."""
        if ctx.options.get("github_export"):
            return None
        client = GitHubClient()
        return (
            LiveSource(client),
            str(ctx.options.get("github_org")),
            _repos(ctx.options.get("github_repos")),
            "github://" + client.base_url.split("://", 1)[-1],
        )


class GitHubReposCollector(_GitHubBase):
    """Reads the live API for named repositories when no organisation is given."""

    name: ClassVar[str] = "github-repos"
    description: ClassVar[str] = "GitHub governance settings of named repositories from the REST API (--github-repo)."
    option: ClassVar[str] = "github_repos"

    def prepare(self, ctx: SourceContext, out: CollectorOutput) -> tuple[ApiSource, str, list[str], str] | None:
        """The live API for the repositories, unless an org or an export is given (those collectors cover them)."""
        if ctx.options.get("github_export") or ctx.options.get("github_org"):
            return None
        client = GitHubClient()
        return (
            LiveSource(client),
            "",
            _repos(ctx.options.get(self.option)),
            "github://" + client.base_url.split("://", 1)[-1],
        )
