"""retiredIdentitiesInactive: identities the inventory lists as retired do not act in the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.activity.common import section, where
from nhi_evidence.probes.identity.common import identity, inventory_subjects
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class RetiredIdentitiesInactive(SubjectProbe):
    """Cross-checks the inventory's retired identities against the log's actors and tokens."""

    id: ClassVar[str] = "retiredIdentitiesInactive"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per audit log."""
        if "inventory" not in ctx.sources:
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                "No inventory was given to know which identities are retired.",
                where(subject),
            )
            return
        retired = [identity(s) for s in inventory_subjects(ctx.subjects) if identity(s).get("status") == "retired"]
        if not retired:
            yield Result(subject.id, Outcome.NOT_APPLICABLE, "The inventory lists no retired identity.", where(subject))
            return
        actors = {k.lower(): v for k, v in section(subject, "nhi_actors").items()}
        tokens = section(subject, "inventory_tokens")
        active: list[str] = []
        for entry in retired:
            name = str(entry.get("id"))
            since = str(entry.get("retired_on") or "")
            for account in entry.get("accounts") or ():
                stats = actors.get(str(account).lower())
                if stats and (not since or str(stats.get("last_seen", "")) >= since):
                    active.append(
                        f"{name} as {account} ({stats.get('events')} event(s), last {stats.get('last_seen')})"
                    )
            for key, stats in tokens.items():
                if key.startswith(f"{name}/") and (not since or str(stats.get("last_seen", "")) >= since):
                    active.append(
                        f"{name} token {key.split('/', 1)[1]} ({stats.get('events')} event(s), last {stats.get('last_seen')})"
                    )
        if active:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"The audit log {subject.path} shows activity of retired identities: {'; '.join(sorted(active)[:5])}.",
                where(subject),
                {"activity": sorted(active)},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"None of the {len(retired)} retired identit{'y' if len(retired) == 1 else 'ies'} of the inventory acts in the audit log {subject.path}.",
                where(subject),
            )
