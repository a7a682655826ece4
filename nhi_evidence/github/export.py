"""``nhi-evidence github export``: save the GitHub API answers the governance collector reads, for offline audits.

The folder layout is documented in ``sources.py`` and the README (section "identity"); a later
``nhi-evidence scan --github-export DIR`` reads it without network access.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import click

from nhi_evidence.clock import isoformat, parse_instant, system_clock
from nhi_evidence.github.client import GitHubClient
from nhi_evidence.github.governance import gather
from nhi_evidence.github.sources import RecordingSource
from nhi_evidence.textsafe import printable


def _now() -> datetime:
    """The save time: NHI_EVIDENCE_NOW when set (reproducible exports), else the system clock."""
    fixed = os.environ.get("NHI_EVIDENCE_NOW")
    if fixed:
        try:
            return parse_instant(fixed)
        except ValueError:
            pass
    return system_clock()


@click.group("github")
def github() -> None:
    """Work with GitHub governance evidence."""


@github.command("export")
@click.option("--org", default="", help="Organisation to export.")
@click.option(
    "--repo", "repos", multiple=True, help="Repository OWNER/NAME to export (repeatable; default: all of --org)."
)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder to write (created).")
def export(org: str, repos: tuple[str, ...], out: Path) -> None:
    """Save the API answers for ORG (and repositories) under OUT, reading GITHUB_API_URL with GITHUB_TOKEN."""
    if not org and not repos:
        click.echo("nhi-evidence: error: give --org or at least one --repo", err=True)
        sys.exit(2)
    out.mkdir(parents=True, exist_ok=True)
    client = GitHubClient()
    source = RecordingSource(client, out)
    try:
        org_facts, repo_facts, problem = gather(source, org, list(repos), {})
    finally:
        client.close()
    if client.answered == 0:
        click.echo(
            f"nhi-evidence: error: no answer from {printable(client.base_url)} (check GITHUB_API_URL and the network)",
            err=True,
        )
        sys.exit(2)
    manifest = {
        "format": 1,
        "api_url": client.base_url,
        "org": org,
        "repositories": sorted(str(f["repository"]) for f in repo_facts),
        "saved_at": isoformat(_now()),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if problem:
        click.echo(f"warning: could not list the repositories of {printable(org)}: {printable(problem)}", err=True)
    unavailable = sum(len(f.get("unavailable") or {}) for f in [*([org_facts] if org_facts else []), *repo_facts])
    click.echo(
        f"Saved {len(source.saved)} API answer(s) for {len(repo_facts)} repositories under {printable(str(out))} "
        f"({client.requests} request(s), {source.not_modified} unchanged since the last export, "
        f"{unavailable} endpoint(s) not available).",
        err=True,
    )
