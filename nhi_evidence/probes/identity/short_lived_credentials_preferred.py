"""shortLivedCredentialsPreferred: assistant identities authenticate with short-lived or federated credentials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.collectors.inventory import SHORT_LIVED_TYPES
from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import identity, location_of
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ShortLivedCredentialsPreferred(SubjectProbe):
    """False when an active identity holds a live static token or key."""

    id: ClassVar[str] = "shortLivedCredentialsPreferred"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per active identity holding credentials."""
        entry = identity(subject)
        name = entry.get("id", "")
        path, line, pointer = location_of(subject)
        where = Location(path, line, pointer)
        live = [c for c in entry.get("credentials") or () if c.get("status") != "revoked"]
        if entry.get("status") != "active" or not live:
            yield Result(subject.id, Outcome.NOT_APPLICABLE, f"Identity {name} holds no live credential in use.", where)
            return
        static = sorted(f"{c.get('id')} ({c.get('type')})" for c in live if c.get("type") not in SHORT_LIVED_TYPES)
        if static:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Identity {name} authenticates with {len(static)} static credential(s): {', '.join(static)}.",
                where,
                {"identity": name, "credentials": ", ".join(static)},
            )
        else:
            kinds = sorted({str(c.get("type")) for c in live})
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"Identity {name} authenticates only with short-lived or federated credentials ({', '.join(kinds)}).",
                where,
            )
