"""sandboxEnabled: the assistant's commands run in a sandbox (not with full access)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.setting_common import fact_location, not_available, setting_fact
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class SandboxEnabled(SubjectProbe):
    """False when the ``sandbox`` fact says the sandbox is off (``danger-full-access``, ``sandbox: false``)."""

    id: ClassVar[str] = "sandboxEnabled"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        fact = setting_fact(subject, "sandbox")
        if fact is None or fact.get("enabled") is None:
            yield not_available(subject, "a sandbox setting")
            return
        location = fact_location(subject, fact)
        mode = str(fact.get("mode")) if fact.get("mode") is not None else ("on" if fact["enabled"] else "off")
        if fact["enabled"]:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} runs commands in a sandbox ({mode}, {location.path}).",
                location,
                {"mode": mode},
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} runs commands without a sandbox ({mode}, {location.path}).",
                location,
                {"mode": mode},
            )
