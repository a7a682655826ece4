"""instructionFilesPresent: the repository gives the assistant written instructions (rules, AGENTS.md...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class InstructionFilesPresent(SubjectProbe):
    """True when the ``instructions`` fact lists at least one file."""

    id: ClassVar[str] = "instructionFilesPresent"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        files = subject.facts.get("instructions")
        if not isinstance(files, list):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name}: instruction files were not looked for.",
                Location(subject.path),
            )
            return
        if files:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} has instruction files: {', '.join(str(f) for f in files[:5])}.",
                Location(str(files[0])),
                {"files": [str(f) for f in files]},
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} has no instruction file for the assistant.",
                Location(subject.path),
                {"repository": subject.repository or "."},
            )
