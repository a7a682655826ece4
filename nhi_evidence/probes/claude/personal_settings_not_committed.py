"""personalSettingsNotCommitted: .claude/settings.local.json is not part of the repository."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class PersonalSettingsNotCommitted(SubjectProbe):
    """False when ``.claude/settings.local.json`` is in the scanned tree and no ``.gitignore`` rule ignores it."""

    id: ClassVar[str] = "personalSettingsNotCommitted"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        personal = fact(subject, "personal_settings")
        if personal is None:
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name}: whether .claude/settings.local.json exists was not recorded.",
                Location(subject.path),
            )
            return
        path = str(personal.get("path") or ".claude/settings.local.json")
        if not personal.get("present"):
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} has no personal settings file ({path}) in the repository.",
                Location(subject.path),
            )
            return
        if personal.get("gitignored"):
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} has a personal settings file {path} in the working tree, but .gitignore "
                "ignores it, so it is not committed.",
                Location(path),
            )
            return
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{subject.name} has personal settings committed: {path} is in the repository and not ignored, "
            "so one developer's approvals become everyone's.",
            Location(path),
        )
