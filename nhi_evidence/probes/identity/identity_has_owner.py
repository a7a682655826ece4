"""identityHasOwner: every inventory identity names an accountable owner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import identity, location_of
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class IdentityHasOwner(SubjectProbe):
    """True when the identity's ``owner`` is a non-empty person or team."""

    id: ClassVar[str] = "identityHasOwner"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per identity."""
        entry = identity(subject)
        path, line, pointer = location_of(subject)
        owner = str(entry.get("owner") or "")
        if owner:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"Identity {entry.get('id')} is owned by {owner}.",
                Location(path, line, pointer),
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Identity {entry.get('id')} has no owner in the inventory.",
                Location(path, line, pointer),
                {"identity": entry.get("id", "")},
            )
