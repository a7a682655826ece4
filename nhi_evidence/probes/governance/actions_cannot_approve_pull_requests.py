"""actionsCannotApprovePullRequests: GitHub Actions may not approve pull requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import mapping, not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class ActionsCannotApprovePullRequests(SubjectProbe):
    """Reads ``can_approve_pull_request_reviews``."""

    id: ClassVar[str] = "actionsCannotApprovePullRequests"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per organisation or repository."""
        perms = mapping(subject, "workflow_permissions")
        if not perms:
            yield not_available(
                subject, "Actions workflow permissions", unavailable(subject, "workflow_permissions", "repository")
            )
            return
        where = Location(subject.path, None, "/actions/permissions/workflow")
        if perms.get("can_approve_pull_request_reviews"):
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} lets GitHub Actions create and approve pull requests.",
                where,
                {"target": subject.name},
            )
        else:
            yield Result(
                subject.id, Outcome.TRUE, f"{subject.name} does not let GitHub Actions approve pull requests.", where
            )
