"""managedSettingsEnforced: a workstation's Claude Code runs under managed (administrator) settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ManagedSettingsEnforced(SubjectProbe):
    """True when the effective settings of a workstation scan include a managed-settings.json."""

    id: ClassVar[str] = "managedSettingsEnforced"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per effective subject of a workstation scan; nothing for repository-only subjects."""
        if "managed_present" not in subject.facts:
            return
        scopes = subject.facts.get("settings_scopes") or []
        managed = [s for s in scopes if isinstance(s, dict) and s.get("scope") == "managed"]
        if managed:
            path = str(managed[0].get("path"))
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} is bounded by managed settings in {path}, which no user or project file can override.",
                Location(path),
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} has no managed settings: every rule comes from files the developer or the repository controls.",
                Location(subject.path),
            )
