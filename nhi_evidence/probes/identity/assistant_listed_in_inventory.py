"""assistantListedInInventory: every assistant found in a repository is listed in the inventory (no shadow identity)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import (
    identity,
    identity_matches_subject,
    inventory_subjects,
    subject_repository,
)
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantListedInInventory(SubjectProbe):
    """Runs on assistant subjects found by repository collectors."""

    id: ClassVar[str] = "assistantListedInInventory"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """True when an inventory identity's ``matches`` claim the subject."""
        where = Location(subject.path)
        if "inventory" not in ctx.sources:
            yield Result(subject.id, Outcome.NOT_AVAILABLE, f"No inventory was given to look up {subject.name}.", where)
            return
        repository = subject_repository(subject, ctx.evidence)
        owners = sorted(
            str(identity(s).get("id"))
            for s in inventory_subjects(ctx.subjects)
            if identity_matches_subject(identity(s), subject, repository)
        )
        if owners:
            yield Result(
                subject.id, Outcome.TRUE, f"{subject.name} runs as inventory identity {', '.join(owners)}.", where
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} is not listed in the identity inventory (shadow identity).",
                where,
                {"kind": subject.kind, "repository": repository},
            )
