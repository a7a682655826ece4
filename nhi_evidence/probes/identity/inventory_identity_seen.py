"""inventoryIdentitySeen: every active inventory identity was seen by some collector."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import (
    ASSISTANT_KINDS,
    identity,
    identity_matches_subject,
    location_of,
    observed_accounts,
    subject_repository,
)
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class InventoryIdentitySeen(SubjectProbe):
    """False for an active identity matched by no repository subject and no observed account."""

    id: ClassVar[str] = "inventoryIdentitySeen"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per active identity."""
        entry = identity(subject)
        name = str(entry.get("id"))
        path, line, pointer = location_of(subject)
        where = Location(path, line, pointer)
        if entry.get("status") != "active":
            yield Result(subject.id, Outcome.NOT_APPLICABLE, f"Identity {name} is retired.", where)
            return
        if not (ctx.sources - {"inventory"}):
            yield Result(
                subject.id, Outcome.NOT_AVAILABLE, f"No other source was given to look for identity {name}.", where
            )
            return
        places = sorted(
            s.name
            for s in ctx.subjects
            if s.kind in ASSISTANT_KINDS and identity_matches_subject(entry, s, subject_repository(s, ctx.evidence))
        )
        observed = observed_accounts(ctx.subjects)
        for account in entry.get("accounts") or ():
            places.extend(observed.get(str(account).lower(), ()))
        if places:
            shown = sorted(set(places))
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"Identity {name} was seen in {len(shown)} place(s), e.g. {shown[0]}.",
                where,
                {"seen_in": shown[:10]},
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Identity {name} is listed as active but was not seen in any scanned repository, log or GitHub setting.",
                where,
                {"identity": name},
            )
