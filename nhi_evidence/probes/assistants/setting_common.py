"""Helpers shared by the assistant probes that read one setting fact (approval, shell, network, sandbox)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import Result


def fact_location(subject: Subject, fact: Mapping[str, Any]) -> Location:
    """Where a setting fact points (its file and line), else the subject's path."""
    path = fact.get("path") or subject.path
    line = fact.get("line") if isinstance(fact.get("line"), int) else None
    return Location(str(path), line)


def not_available(subject: Subject, what: str) -> Result:
    """The result for a subject whose configuration does not state the setting."""
    return Result(
        subject.id,
        Outcome.NOT_AVAILABLE,
        f"{subject.name}: {what} was not found in its configuration.",
        Location(subject.path),
    )


def setting_fact(subject: Subject, key: str) -> Mapping[str, Any] | None:
    """The mapping fact ``key`` of a subject, or None."""
    fact = subject.facts.get(key)
    return fact if isinstance(fact, Mapping) else None
