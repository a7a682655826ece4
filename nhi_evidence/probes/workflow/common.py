"""Helpers shared by the workflow probes: naming a job and locating what a fact points at."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nhi_evidence.model import Location, Subject
from nhi_evidence.probes.interface import ProbeContext


def where(subject: Subject) -> str:
    """``Workflow <path> job `<id>``` for messages."""
    facts = subject.facts
    job = facts.get("job") or {}
    return f"Workflow {subject.path} job `{job.get('id', '?')}`"


def at(subject: Subject, item: Mapping[str, Any] | None = None) -> Location:
    """Location of a fact item (its line in the workflow), else of the job."""
    line = None
    if item is not None and isinstance(item.get("line"), int):
        line = item["line"]
    elif isinstance((subject.facts.get("job") or {}).get("line"), int):
        line = subject.facts["job"]["line"]
    return Location(subject.path, line)


def is_job(subject: Subject) -> bool:
    """True when the subject carries the ci-workflow facts."""
    return isinstance(subject.facts.get("assistants"), list) and isinstance(subject.facts.get("permissions"), dict)


def code_list(items: Iterable[str]) -> str:
    """`a`, `b` and `c`."""
    shown = [f"`{item}`" for item in items]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


#: Subject kind of the GitHub governance evidence (``collectors/github.py``).
GITHUB_REPOSITORY = "github-repository"


def github_settings(subject: Subject, ctx: ProbeContext) -> Mapping[str, Any] | None:
    """Facts of the GitHub repository settings matching a workflow subject's repository, when collected.

    The local folder and the GitHub full name are matched on the repository name (the last path
    segment, case-insensitive); a scan of a single repository folder (repository "") matches the only
    GitHub repository of the run. None when no GitHub governance evidence matches.
    """
    candidates = ctx.subjects_of_kind(GITHUB_REPOSITORY)
    if not candidates:
        return None
    local = subject.repository.rstrip("/").rsplit("/", 1)[-1].lower()
    if not local:
        return candidates[0].facts if len(candidates) == 1 else None
    for candidate in candidates:
        name = str(candidate.facts.get("repository") or candidate.repository)
        if name.rstrip("/").rsplit("/", 1)[-1].lower() == local:
            return candidate.facts
    return None


def github_section(settings: Mapping[str, Any] | None, name: str) -> Any:
    """One section of the GitHub settings facts, or None when absent or unreadable."""
    if settings is None:
        return None
    unavailable = settings.get("unavailable")
    if isinstance(unavailable, Mapping) and name in unavailable:
        return None
    return settings.get(name)
