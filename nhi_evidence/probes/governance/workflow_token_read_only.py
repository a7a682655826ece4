"""workflowTokenReadOnly: the default GITHUB_TOKEN permissions are read-only and Actions cannot approve pull requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import WorkflowPermissionsProbe
from nhi_evidence.probes.interface import Result


class WorkflowTokenReadOnly(WorkflowPermissionsProbe):
    """Organisation or repository Actions workflow permissions."""

    id: ClassVar[str] = "workflowTokenReadOnly"

    def judge(self, subject: Subject, perms: Mapping[str, Any], where: Location) -> Result:
        """True when the default GITHUB_TOKEN is read-only."""
        default = perms.get("default_workflow_permissions")
        if default == "read":
            return Result(
                subject.id, Outcome.TRUE, f"{subject.name} gives workflows a read-only GITHUB_TOKEN by default.", where
            )
        return Result(
            subject.id,
            Outcome.FALSE,
            f"{subject.name} gives workflows a {default} GITHUB_TOKEN by default.",
            where,
            {"target": subject.name},
        )
