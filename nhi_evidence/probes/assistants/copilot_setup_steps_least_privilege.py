"""copilotSetupStepsLeastPrivilege: Copilot's setup steps get a read-only token and no personal token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class CopilotSetupStepsLeastPrivilege(SubjectProbe):
    """False when ``copilot-setup-steps`` grants write scopes or checks out with a PAT or app token."""

    id: ClassVar[str] = "copilotSetupStepsLeastPrivilege"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per Copilot subject with a setup steps workflow."""
        fact = subject.facts.get("copilot_setup_steps")
        if not isinstance(fact, dict):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name} has no copilot-setup-steps.yml workflow.",
                Location(subject.path),
            )
            return
        path = str(fact.get("path"))
        location = Location(path, fact.get("line") if isinstance(fact.get("line"), int) else None)
        if not fact.get("job_found"):
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"{path} has no job named copilot-setup-steps, so Copilot does not run it.",
                location,
            )
            return
        permissions = fact.get("permissions") or {}
        write = [str(w) for w in fact.get("write_permissions") or []] if permissions.get("source") != "default" else []
        problems = []
        if write:
            problems.append(f"a token with write access to {', '.join(write)}")
        if fact.get("pat_used"):
            names = sorted({n for t in fact.get("checkout_tokens") or [] for n in t.get("secrets") or []})
            problems.append(f"a checkout token from {', '.join('secrets.' + n for n in names) or 'a personal token'}")
        if permissions.get("source") == "default":
            problems.append("no permissions block (the repository default applies, possibly write)")
        if problems:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"The Copilot setup steps in {path} run with {'; and '.join(problems)}.",
                location,
                {"problems": "; ".join(problems)},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"The Copilot setup steps in {path} run with a read-only token and Copilot's own credentials.",
                location,
            )
