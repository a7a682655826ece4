"""shellCommandsRestricted: the assistant may not run any shell command unasked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.setting_common import fact_location, not_available, setting_fact
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ShellCommandsRestricted(SubjectProbe):
    """False when the ``shell`` fact says any command runs without a prompt."""

    id: ClassVar[str] = "shellCommandsRestricted"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        fact = setting_fact(subject, "shell")
        if fact is None or fact.get("unrestricted") is None:
            yield not_available(subject, "a shell command setting")
            return
        location = fact_location(subject, fact)
        rules = [str(r) for r in fact.get("rules") or []]
        shown = ", ".join(rules[:5]) or "its approval setting"
        if fact["unrestricted"]:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} may run any shell command without asking ({shown} in {location.path}).",
                location,
                {"rules": shown},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} runs only listed shell commands unasked ({len(rules)} rule(s) in {location.path}).",
                location,
                {"rules": shown},
            )
