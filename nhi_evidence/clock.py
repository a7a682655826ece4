"""The injectable clock: the only source of "now" in the pipeline.

Tests and reproducible packs fix it with ``--now`` (or ``NHI_EVIDENCE_NOW``, ISO 8601), so that the
declared timestamps are the only thing that differs between runs, and nothing at all when fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always returns moment (made timezone-aware in UTC when naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)

    def clock() -> datetime:
        return moment

    return clock


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant ("2026-11-25T12:00:00Z" or a date); raises ValueError."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat(moment: datetime) -> str:
    """Format an instant as RFC 3339 in UTC with a Z suffix (the form OSCAL requires)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
