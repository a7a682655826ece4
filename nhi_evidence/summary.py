"""Counts every renderer shows the same way: status per framework, coverage, findings per severity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from nhi_evidence.model import Assessment, ControlStatus, Finding, Outcome, Severity


@dataclass(frozen=True)
class FrameworkSummary:
    """Control status counts of one framework."""

    framework: str
    title: str
    satisfied: int
    not_satisfied: int
    not_assessed: int
    not_applicable: int

    @property
    def total(self) -> int:
        """Controls in the catalog."""
        return self.satisfied + self.not_satisfied + self.not_assessed + self.not_applicable

    @property
    def assessed(self) -> int:
        """Controls with a satisfied or not-satisfied status."""
        return self.satisfied + self.not_satisfied

    @property
    def coverage(self) -> float:
        """Share of applicable controls that were assessed (0..1)."""
        applicable = self.total - self.not_applicable
        return self.assessed / applicable if applicable else 0.0

    @property
    def compliance(self) -> float:
        """Share of assessed controls that are satisfied (0..1)."""
        return self.satisfied / self.assessed if self.assessed else 0.0


def framework_summaries(assessment: Assessment) -> list[FrameworkSummary]:
    """One summary per framework, in the assessment's framework order."""
    out: list[FrameworkSummary] = []
    for framework in assessment.frameworks:
        counts = Counter(r.status for r in assessment.control_results if r.framework == framework.id)
        out.append(
            FrameworkSummary(
                framework.id,
                framework.title,
                counts[ControlStatus.SATISFIED],
                counts[ControlStatus.NOT_SATISFIED],
                counts[ControlStatus.NOT_ASSESSED],
                counts[ControlStatus.NOT_APPLICABLE],
            )
        )
    return out


def failed_findings(assessment: Assessment) -> list[Finding]:
    """False findings, most severe first, then by probe and message."""
    failed = [f for f in assessment.findings if f.outcome is Outcome.FALSE]
    return sorted(failed, key=lambda f: (-f.severity.rank, f.probe, f.message))


def severity_counts(assessment: Assessment) -> dict[Severity, int]:
    """False findings per severity (every severity present, most severe first)."""
    counts = Counter(f.severity for f in assessment.findings if f.outcome is Outcome.FALSE)
    return {s: counts[s] for s in reversed(Severity)}


def is_accepted(finding: Finding) -> bool:
    """Whether a false finding is covered by an unexpired risk acceptance (``values["acceptance"]``, see acceptance.py)."""
    record = finding.values.get("acceptance")
    return isinstance(record, Mapping) and record.get("status") == "accepted"


def at_or_above(assessment: Assessment, threshold: Severity) -> list[Finding]:
    """False findings at or above a severity, accepted risks excepted (what ``--fail-on`` counts)."""
    return [f for f in failed_findings(assessment) if f.severity.rank >= threshold.rank and not is_accepted(f)]
