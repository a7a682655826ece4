"""Helpers shared by the activity probes (audit log and git history summaries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Location, Subject


def section(subject: Subject, name: str) -> Mapping[str, Any]:
    """A mapping fact of the subject ({} when absent)."""
    value = subject.facts.get(name)
    return value if isinstance(value, Mapping) else {}


def where(subject: Subject) -> Location:
    """The subject's primary location."""
    return Location(subject.path)


def assistant_actors(subject: Subject) -> dict[str, Mapping[str, Any]]:
    """Audit log actors that are assistants or inventory identities (not other bots)."""
    return {
        actor: stats
        for actor, stats in section(subject, "nhi_actors").items()
        if isinstance(stats, Mapping) and stats.get("family") not in ("bot", None)
    }
