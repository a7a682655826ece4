"""assistantActivityLogged: the audit log records what assistant identities did."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.activity.common import assistant_actors, where
from nhi_evidence.probes.identity.common import ASSISTANT_KINDS, INVENTORY_KIND
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantActivityLogged(SubjectProbe):
    """True when assistant actors appear in the log; false when assistants are known but absent from it."""

    id: ClassVar[str] = "assistantActivityLogged"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per audit log."""
        actors = assistant_actors(subject)
        events = sum(int(s.get("events", 0)) for s in actors.values())
        if actors:
            first = min(str(s.get("first_seen", "")) for s in actors.values())
            last = max(str(s.get("last_seen", "")) for s in actors.values())
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"The audit log {subject.path} records {events} event(s) by {len(actors)} assistant identit"
                f"{'y' if len(actors) == 1 else 'ies'} ({', '.join(sorted(actors)[:5])}) from {first} to {last}.",
                where(subject),
                {"assistant_events": events, "actors": sorted(actors)[:20], "first_seen": first, "last_seen": last},
            )
            return
        known = [
            s.name
            for s in ctx.subjects
            if s.kind in ASSISTANT_KINDS
            or (s.kind == INVENTORY_KIND and s.facts.get("identity", {}).get("status") == "active")
        ]
        if not known:
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"The audit log {subject.path} records no assistant activity and no assistant was found to look for.",
                where(subject),
            )
            return
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"The audit log {subject.path} ({subject.facts.get('events', 0)} events) records no action by any assistant "
            f"identity although {len(known)} assistant(s) were found, e.g. {sorted(known)[0]}.",
            where(subject),
            {"assistants_found": len(known)},
        )
