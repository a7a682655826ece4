"""retiredIdentityHasNoLiveCredential: a retired identity holds no credential that still works."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import identity, location_of, parse_date
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class RetiredIdentityHasNoLiveCredential(SubjectProbe):
    """False when a retired identity lists a credential neither revoked nor expired."""

    id: ClassVar[str] = "retiredIdentityHasNoLiveCredential"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per retired identity; not-applicable for active ones."""
        entry = identity(subject)
        path, line, pointer = location_of(subject)
        where = Location(path, line, pointer)
        name = entry.get("id", "")
        if entry.get("status") != "retired":
            yield Result(subject.id, Outcome.NOT_APPLICABLE, f"Identity {name} is active.", where)
            return
        live = []
        for credential in entry.get("credentials") or ():
            if credential.get("status") == "revoked":
                continue
            expires = parse_date(credential.get("expires"))
            if expires is not None and expires <= ctx.now:
                continue
            live.append(str(credential.get("id")))
        if live:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Retired identity {name} still holds {len(live)} live credential(s): {', '.join(sorted(live))}.",
                where,
                {"identity": name, "credentials": ", ".join(sorted(live))},
            )
        else:
            yield Result(subject.id, Outcome.TRUE, f"Retired identity {name} holds no live credential.", where)
