"""patGrantsExpire: fine-grained personal access tokens granted to the organisation expire and are in use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import not_available, unavailable
from nhi_evidence.probes.identity.common import parse_date
from nhi_evidence.probes.identity.credential_rotated_within_policy import rotation_days
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class PatGrantsExpire(SubjectProbe):
    """One result per organisation."""

    id: ClassVar[str] = "patGrantsExpire"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False when a live grant never expires or was unused longer than the rotation policy."""
        reason = unavailable(subject, "personal_access_tokens")
        if reason or "pat_grants" not in subject.facts:
            yield not_available(subject, "Fine-grained PAT grants", reason or "unknown")
            return
        policy = rotation_days(ctx)
        never, stale = [], []
        grants = [g for g in subject.facts.get("pat_grants") or () if not g.get("expired")]
        for grant in grants:
            label = f"{grant.get('token_name') or grant.get('token_id')} of {grant.get('owner')}"
            if not grant.get("expires_at"):
                never.append(label)
            used = parse_date(grant.get("last_used_at"))
            if used is None or (ctx.now - used).days > policy:
                stale.append(label)
        where = Location(subject.path, None, "/personal-access-tokens")
        problems = []
        if never:
            problems.append(f"{len(never)} never expire ({', '.join(sorted(never)[:5])})")
        if stale:
            problems.append(f"{len(stale)} unused for more than {policy} days ({', '.join(sorted(stale)[:5])})")
        if problems:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Of {len(grants)} live fine-grained PAT grant(s) in {subject.name}, {'; '.join(problems)}.",
                where,
                {"problems": "; ".join(problems)},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"All {len(grants)} live fine-grained PAT grant(s) in {subject.name} expire and were used within {policy} days.",
                where,
            )
