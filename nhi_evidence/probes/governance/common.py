"""Helpers shared by the governance probes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import Result


def unavailable(subject: Subject, *names: str) -> str:
    """The recorded reason the first of these endpoints could not be read ("" when all were read)."""
    reasons = subject.facts.get("unavailable")
    if isinstance(reasons, Mapping):
        for name in names:
            if name in reasons:
                return str(reasons[name])
    return ""


def not_available(subject: Subject, what: str, reason: str) -> Result:
    """A not-available result naming the endpoint and the reason."""
    return Result(
        subject.id,
        Outcome.NOT_AVAILABLE,
        f"{what} of {subject.name} could not be read: {reason}.",
        Location(subject.path),
        {"reason": reason},
    )


def mapping(subject: Subject, name: str) -> Mapping[str, Any]:
    """A mapping fact ({} when absent)."""
    value = subject.facts.get(name)
    return value if isinstance(value, Mapping) else {}
