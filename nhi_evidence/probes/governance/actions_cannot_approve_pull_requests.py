"""actionsCannotApprovePullRequests: GitHub Actions may not approve pull requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import WorkflowPermissionsProbe
from nhi_evidence.probes.interface import Result


class ActionsCannotApprovePullRequests(WorkflowPermissionsProbe):
    """Reads ``can_approve_pull_request_reviews``."""

    id: ClassVar[str] = "actionsCannotApprovePullRequests"

    def judge(self, subject: Subject, perms: Mapping[str, Any], where: Location) -> Result:
        """False when Actions may approve pull requests."""
        if perms.get("can_approve_pull_request_reviews"):
            return Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} lets GitHub Actions create and approve pull requests.",
                where,
                {"target": subject.name},
            )
        return Result(
            subject.id, Outcome.TRUE, f"{subject.name} does not let GitHub Actions approve pull requests.", where
        )
