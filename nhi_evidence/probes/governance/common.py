"""Helpers shared by the governance probes."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


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


class WorkflowPermissionsProbe(SubjectProbe):
    """A probe judging the Actions workflow permissions of an organisation or repository (one result each)."""

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """Not-available when the permissions could not be read, else the result of ``judge``."""
        perms = mapping(subject, "workflow_permissions")
        if not perms:
            yield not_available(
                subject, "Actions workflow permissions", unavailable(subject, "workflow_permissions", "repository")
            )
            return
        yield self.judge(subject, perms, Location(subject.path, None, "/actions/permissions/workflow"))

    @abstractmethod
    def judge(self, subject: Subject, perms: Mapping[str, Any], where: Location) -> Result:
        """The result for permissions that were read; ``where`` points at the endpoint."""
