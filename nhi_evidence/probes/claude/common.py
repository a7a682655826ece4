"""Helpers shared by the Claude Code probes: reading facts and locating what they speak of."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.model import Location, Subject


def fact(subject: Subject, key: str) -> Mapping[str, Any] | None:
    """A mapping fact of the subject, or None when it was not collected."""
    value = subject.facts.get(key)
    return value if isinstance(value, Mapping) else None


def settings_present(subject: Subject) -> bool:
    """True when a project or local settings file of the subject was parsed."""
    return bool(subject.facts.get("settings_present"))


def location(value: Mapping[str, Any] | None, subject: Subject) -> Location:
    """Location of a fact (its ``path`` and ``line``), or the subject's primary path."""
    if value and value.get("path"):
        line = value.get("line")
        return Location(str(value["path"]), line if isinstance(line, int) else None)
    return Location(subject.path)


def no_settings_message(subject: Subject, what: str) -> str:
    """The not-available sentence for a subject without (readable) project settings."""
    unreadable = [str(path) for path in subject.facts.get("settings_unreadable") or []]
    if unreadable:
        return (
            f"{subject.name} has settings that could not be read ({', '.join(unreadable)}: see the collection "
            f"errors), so {what} cannot be decided."
        )
    return (
        f"{subject.name} has no project settings (.claude/settings.json or .claude/settings.local.json), "
        f"so {what} cannot be decided from the repository; user or managed settings may set it."
    )
