"""assistantPermissionsNotWidened: no settings change in the log widened what assistants may do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.activity.common import section, where
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantPermissionsNotWidened(SubjectProbe):
    """False when the log holds permission-widening actions concerning assistants or CI tokens."""

    id: ClassVar[str] = "assistantPermissionsNotWidened"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per audit log."""
        widening = section(subject, "widening")
        count = int(widening.get("count", 0))
        samples = list(widening.get("samples", ()))
        if count:
            actions = sorted({str(s.get("action")) for s in samples})
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"The audit log {subject.path} records {count} settings change(s) that widened assistant or CI token "
                f"permissions ({', '.join(actions)}).",
                where(subject),
                {"count": count, "actions": ", ".join(actions), "samples": samples},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"The audit log {subject.path} records no settings change that widened assistant permissions.",
                where(subject),
            )
