"""noBlanketShellAllow: no allow rule pre-approves every shell command."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.collectors.claude_code import is_blanket_shell
from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact, location, no_settings_message, settings_present
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class NoBlanketShellAllow(SubjectProbe):
    """False when ``permissions.allow`` holds ``*``, ``Bash``, ``Bash(*)``, ``Bash(**)`` or ``Bash(:*)``."""

    id: ClassVar[str] = "noBlanketShellAllow"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        permissions = fact(subject, "permissions")
        if permissions is None or not settings_present(subject):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                no_settings_message(subject, "whether shell commands are pre-approved"),
                Location(subject.path),
            )
            return
        allow = [str(rule) for rule in permissions.get("allow") or []]
        blanket = [rule for rule in allow if is_blanket_shell(rule)]
        shell = fact(subject, "shell")
        where = location(shell if shell and blanket else permissions, subject)
        if blanket:
            rules = ", ".join(blanket)
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} pre-approves every shell command: {where.path} allows {rules}, so any command "
                "runs without asking.",
                where,
                {"rules": rules},
            )
            return
        shell_rules = len((shell or {}).get("rules") or [])
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{subject.name} pre-approves no blanket shell rule ({shell_rules} scoped shell rule(s) allowed).",
            where,
        )
