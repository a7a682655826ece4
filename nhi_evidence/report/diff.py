"""What changed since the previous pack, as the executive summary shows it.

The pack command computes the difference between two packs and passes it to the report as
``RenderOptions.extra["diff"]``, either as a ``ReportDiff`` or as a plain mapping with these keys
(all optional):

``previous``
    Label of the previous pack (its period, date or assessment id).
``improved`` / ``regressed``
    Lists of control changes, each ``{"framework", "control" (or "control_id"), "before", "after"}``
    with before/after control statuses.
``new_findings`` / ``resolved_findings``
    A count, or a list of findings (mappings with ``probe`` and ``message``, or strings); a list
    gives both the count and a few examples.
``coverage``
    Coverage before and after per framework: ``{framework: [before, after]}`` or a list of
    ``{"framework", "before", "after"}``; values are fractions (0..1), or null when the framework was
    not assessed on that side.
``identities_added`` / ``identities_removed`` / ``permission_changes``
    Counts or lists; for ``permission_changes`` only entries with ``"direction": "gained"`` count as
    permissions gained.

This is the shape ``nhi_evidence.diff.render.to_dict`` produces, which the pack passes as it is.

Unknown keys are ignored and malformed entries are left out, so a newer pack format cannot break
the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Examples of new and resolved findings shown; the counts are always complete.
DIFF_EXAMPLES = 10


@dataclass(frozen=True)
class ControlChange:
    """A control whose status changed between the two packs."""

    framework: str
    """Framework id."""
    control: str
    """Control id."""
    before: str
    """Status in the previous pack."""
    after: str
    """Status now."""


@dataclass(frozen=True)
class CoverageChange:
    """Coverage of one framework in the previous pack and now."""

    framework: str
    """Framework id."""
    before: float | None
    """Coverage (0..1) in the previous pack; None when the framework was not assessed there."""
    after: float | None
    """Coverage (0..1) now; None when not assessed now."""

    @property
    def delta(self) -> float | None:
        """Change in coverage (after minus before), None when a side is missing."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class ReportDiff:
    """The difference with the previous pack, shown in the executive summary."""

    previous: str = ""
    """Label of the previous pack."""
    improved: tuple[ControlChange, ...] = ()
    """Controls whose status improved."""
    regressed: tuple[ControlChange, ...] = ()
    """Controls whose status got worse."""
    new_findings: int = 0
    """Failed findings present now and not before."""
    resolved_findings: int = 0
    """Failed findings present before and not now."""
    new_examples: tuple[str, ...] = ()
    """A few new findings, as one line each."""
    resolved_examples: tuple[str, ...] = ()
    """A few resolved findings, as one line each."""
    coverage: tuple[CoverageChange, ...] = ()
    """Coverage before and after, per framework."""
    identities_added: int = 0
    """Identities present now and not before."""
    identities_removed: int = 0
    """Identities present before and not now."""
    permissions_gained: int = 0
    """Permissions identities gained."""


def _changes(value: Any) -> tuple[ControlChange, ...]:
    out: list[ControlChange] = []
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    for item in value:
        if isinstance(item, ControlChange):
            out.append(item)
        elif isinstance(item, Mapping):
            control = item.get("control", item.get("control_id", item.get("id", "")))
            out.append(
                ControlChange(
                    str(item.get("framework", "")),
                    str(control),
                    str(item.get("before", "")),
                    str(item.get("after", "")),
                )
            )
    return tuple(out)


def _finding_line(item: Any) -> str:
    if isinstance(item, Mapping):
        probe, message = str(item.get("probe", "")), str(item.get("message", ""))
        return f"{probe}: {message}" if probe and message else probe or message
    return str(item)


def _findings(value: Any) -> tuple[int, tuple[str, ...]]:
    if isinstance(value, bool):
        return 0, ()
    if isinstance(value, int):
        return max(0, value), ()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value), tuple(_finding_line(item) for item in list(value)[:DIFF_EXAMPLES])
    return 0, ()


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _coverage(value: Any) -> tuple[CoverageChange, ...]:
    out: list[CoverageChange] = []
    items: list[tuple[Any, Any, Any]] = []
    if isinstance(value, Mapping):
        for framework, pair in value.items():
            if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2:
                items.append((framework, pair[0], pair[1]))
            elif isinstance(pair, Mapping):
                items.append((framework, pair.get("before"), pair.get("after")))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            if isinstance(item, CoverageChange):
                out.append(item)
            elif isinstance(item, Mapping):
                items.append((item.get("framework", ""), item.get("before"), item.get("after")))
    for framework, before, after in items:
        b, a = _fraction(before), _fraction(after)
        if b is not None or a is not None:
            out.append(CoverageChange(str(framework), b, a))
    return tuple(out)


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value)
    return 0


def _gained(value: Any) -> int:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return sum(1 for item in value if isinstance(item, Mapping) and item.get("direction") == "gained")
    return _count(value)


def coerce_diff(value: Any) -> ReportDiff | None:
    """A ReportDiff from a ReportDiff or a mapping with the documented keys; None when absent or unusable."""
    if value is None:
        return None
    if isinstance(value, ReportDiff):
        return value
    if not isinstance(value, Mapping):
        return None
    new_count, new_examples = _findings(value.get("new_findings"))
    resolved_count, resolved_examples = _findings(value.get("resolved_findings"))
    return ReportDiff(
        previous=str(value.get("previous", "") or ""),
        improved=_changes(value.get("improved")),
        regressed=_changes(value.get("regressed")),
        new_findings=new_count,
        resolved_findings=resolved_count,
        new_examples=new_examples,
        resolved_examples=resolved_examples,
        coverage=_coverage(value.get("coverage")),
        identities_added=_count(value.get("identities_added")),
        identities_removed=_count(value.get("identities_removed")),
        permissions_gained=_gained(value.get("permission_changes")),
    )
