"""Helpers shared by the identity probes: dates, the matching rule between inventory and findings.

Matching rule (documented in the README, section "Identity, governance and logs"): an assistant
subject found by a repository collector (kinds in ``ASSISTANT_KINDS``) belongs to an inventory
identity when one of the identity's ``matches`` entries has the subject's kind and a ``repository``
that equals the subject's repository folder, is a glob matching it (fnmatch), equals its last path
component, or is absent / ``*``; for CI jobs (``ci-workflow``) the match's ``assistant`` (else the
identity's) must also be one of the assistants the job runs. Logins, App slugs and commit authors seen by the audit log, git
history and GitHub collectors belong to an identity when they are listed in its ``accounts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from nhi_evidence.model import Evidence, Subject

#: Subject kinds of assistant configurations found in repositories.
ASSISTANT_KINDS: tuple[str, ...] = (
    "claude-code",
    "cursor",
    "copilot",
    "codex",
    "gemini-cli",
    "aider",
    "continue",
    "ci-workflow",
)

INVENTORY_KIND = "inventory-identity"


def parse_date(value: Any) -> dt.datetime | None:
    """An inventory date (YYYY-MM-DD or ISO 8601 instant) as an aware datetime, or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def identity(subject: Subject) -> Mapping[str, Any]:
    """The normalised inventory entry of an inventory-identity subject."""
    value = subject.facts.get("identity")
    return value if isinstance(value, Mapping) else {}


def inventory_subjects(subjects: Iterable[Subject]) -> list[Subject]:
    """Every inventory-identity subject."""
    return [s for s in subjects if s.kind == INVENTORY_KIND]


def repo_matches(pattern: str, repository: str) -> bool:
    """Whether an inventory ``repository`` value designates a subject's repository folder."""
    if not pattern or pattern == "*":
        return True
    last = repository.rsplit("/", 1)[-1]
    return pattern in (repository, last) or fnmatchcase(repository, pattern) or fnmatchcase(last, pattern)


def subject_repository(subject: Subject, evidence: Mapping[str, Evidence]) -> str:
    """The subject's repository folder, falling back on its evidence's when the subject leaves it empty."""
    if subject.repository:
        return subject.repository
    for evidence_id in subject.evidence_ids:
        record = evidence.get(evidence_id)
        if record is not None and record.repository:
            return record.repository
    return ""


def identity_matches_subject(entry: Mapping[str, Any], subject: Subject, repository: str | None = None) -> bool:
    """Whether an inventory entry's ``matches`` claim an assistant subject (in ``repository`` when given)."""
    where = subject.repository if repository is None else repository
    for match in entry.get("matches") or ():
        if match.get("kind") != subject.kind or not repo_matches(str(match.get("repository") or ""), where):
            continue
        wanted = str(match.get("assistant") or entry.get("assistant") or "")
        if wanted and subject.kind == "ci-workflow" and wanted not in ci_assistants(subject):
            # A CI job runs one or more named assistants: an identity serving another one is not it.
            continue
        return True
    return False


def ci_assistants(subject: Subject) -> set[str]:
    """Assistant kinds a CI job runs (from the workflow collector's ``assistants`` fact)."""
    found: set[str] = set()
    for item in subject.facts.get("assistants") or ():
        if isinstance(item, Mapping) and item.get("assistant"):
            found.add(str(item["assistant"]))
    return found


def observed_accounts(subjects: Sequence[Subject]) -> dict[str, list[str]]:
    """Login / App slug / author (lower case) -> where it was observed, from every non-inventory subject.

    Collectors publish what they saw under the ``accounts_seen`` fact: a list of logins.
    """
    seen: dict[str, list[str]] = {}
    for subject in subjects:
        for login in subject.facts.get("accounts_seen") or ():
            seen.setdefault(str(login).lower(), []).append(subject.name)
    return seen


def location_of(subject: Subject) -> tuple[str, int | None, str | None]:
    """(path, line, pointer) of an inventory identity."""
    line = subject.facts.get("line")
    pointer = subject.facts.get("pointer")
    return subject.path, line if isinstance(line, int) else None, pointer if isinstance(pointer, str) else None
