"""assistantCredentialsNotUsedByHumans: assistant identities and human identities keep their credentials apart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.activity.common import section, where
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantCredentialsNotUsedByHumans(SubjectProbe):
    """False on interactive use of an assistant account, shared tokens, or an assistant on a human's token."""

    id: ClassVar[str] = "assistantCredentialsNotUsedByHumans"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per audit log."""
        interactive = int(section(subject, "interactive_nhi").get("count", 0))
        shared = int(section(subject, "shared_tokens").get("count", 0))
        on_human = int(section(subject, "assistant_on_human_token").get("count", 0))
        inventory_tokens = section(subject, "inventory_tokens")
        problems = []
        if interactive:
            problems.append(f"{interactive} interactive (tokenless) event(s) by assistant accounts")
        if shared:
            problems.append(f"{shared} token(s) used by an assistant and another actor")
        if on_human:
            problems.append(f"{on_human} event(s) where an assistant client used a human's token")
        mixed = sorted(key for key, v in inventory_tokens.items() if len(v.get("actors", ())) > 1)
        if mixed:
            problems.append(f"inventory token(s) {', '.join(mixed)} used by several actors")
        values = {
            "interactive_events": interactive,
            "shared_tokens": shared,
            "assistant_on_human_token": on_human,
            "samples": list(section(subject, "interactive_nhi").get("samples", ()))[:3]
            + list(section(subject, "assistant_on_human_token").get("samples", ()))[:3],
        }
        if problems:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"The audit log {subject.path} shows human and assistant credentials mixed: {'; '.join(problems)}.",
                where(subject),
                {**values, "problems": "; ".join(problems)},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"The audit log {subject.path} ({subject.facts.get('events', 0)} events) shows no human use of assistant "
                "credentials and no assistant on a human's token.",
                where(subject),
                values,
            )
