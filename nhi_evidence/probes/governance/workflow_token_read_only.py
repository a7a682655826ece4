"""workflowTokenReadOnly: the default GITHUB_TOKEN permissions are read-only and Actions cannot approve pull requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import mapping, not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class WorkflowTokenReadOnly(SubjectProbe):
    """Organisation or repository Actions workflow permissions."""

    id: ClassVar[str] = "workflowTokenReadOnly"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per organisation or repository."""
        perms = mapping(subject, "workflow_permissions")
        if not perms:
            yield not_available(
                subject, "Actions workflow permissions", unavailable(subject, "workflow_permissions", "repository")
            )
            return
        default = perms.get("default_workflow_permissions")
        where = Location(subject.path, None, "/actions/permissions/workflow")
        if default == "read":
            yield Result(
                subject.id, Outcome.TRUE, f"{subject.name} gives workflows a read-only GITHUB_TOKEN by default.", where
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} gives workflows a {default} GITHUB_TOKEN by default.",
                where,
                {"target": subject.name},
            )
