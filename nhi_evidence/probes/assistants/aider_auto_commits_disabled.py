"""aiderAutoCommitsDisabled: Aider does not commit its own edits without review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AiderAutoCommitsDisabled(SubjectProbe):
    """False when ``auto-commits`` is on (Aider's default) with git enabled."""

    id: ClassVar[str] = "aiderAutoCommitsDisabled"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per Aider subject."""
        fact = subject.facts.get("aider")
        if not isinstance(fact, dict):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name}: no .aider.conf.yml was read.",
                Location(subject.path),
            )
            return
        path = str(fact.get("path") or subject.path)
        location = Location(path, fact.get("line") if isinstance(fact.get("line"), int) else None)
        if fact.get("auto_commits") and fact.get("git", True):
            how = (
                "sets auto-commits: true" if fact.get("auto_commits_set") else "leaves auto-commits at its default (on)"
            )
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{path} {how}: Aider commits its own edits without review.",
                location,
                {"how": how},
            )
        else:
            yield Result(subject.id, Outcome.TRUE, f"{path} turns Aider's auto-commits off.", location)
