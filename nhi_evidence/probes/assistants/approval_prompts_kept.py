"""approvalPromptsKept: the assistant still asks before running tools (no approve-everything mode)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.setting_common import fact_location, not_available, setting_fact
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ApprovalPromptsKept(SubjectProbe):
    """False when the ``approval`` fact says every tool call is approved without asking."""

    id: ClassVar[str] = "approvalPromptsKept"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        fact = setting_fact(subject, "approval")
        if fact is None or fact.get("auto_approve_all") is None:
            yield not_available(subject, "an approval setting")
            return
        mode = fact.get("mode") or "its settings"
        location = fact_location(subject, fact)
        if fact["auto_approve_all"]:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} approves every tool call without asking ({mode} in {location.path}).",
                location,
                {"mode": mode},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} keeps approval prompts ({mode} in {location.path}).",
                location,
                {"mode": mode},
            )
