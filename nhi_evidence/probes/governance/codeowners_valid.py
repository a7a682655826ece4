"""codeownersValid: the repository has a CODEOWNERS file without errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class CodeownersValid(SubjectProbe):
    """Reads the CODEOWNERS errors endpoint's answer."""

    id: ClassVar[str] = "codeownersValid"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per repository."""
        if "codeowners_errors" not in subject.facts:
            yield not_available(subject, "CODEOWNERS", unavailable(subject, "codeowners", "repository"))
            return
        errors = subject.facts.get("codeowners_errors")
        where = Location(subject.path)
        if errors is None:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} has no CODEOWNERS file.",
                where,
                {"repository": subject.repository, "errors": "no CODEOWNERS file"},
            )
        elif errors:
            shown = "; ".join(f"line {e.get('line')}: {e.get('kind')}" for e in errors[:5])
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"CODEOWNERS of {subject.name} has {len(errors)} error(s): {shown}.",
                Location(
                    str(errors[0].get("path") or subject.path),
                    errors[0].get("line") if isinstance(errors[0].get("line"), int) else None,
                ),
                {"repository": subject.repository, "errors": shown},
            )
        else:
            yield Result(subject.id, Outcome.TRUE, f"CODEOWNERS of {subject.name} has no errors.", where)
