"""workflowPermissionsLeastPrivilege: the assistant job's token holds no write scope beyond what it needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, github_section, github_settings, is_job, where

#: Write scopes tolerated for any assistant: commenting on and labelling issues and pull requests.
COMMENT_SCOPES = frozenset({"issues", "pull-requests", "discussions"})


class WorkflowPermissionsLeastPrivilege(SubjectProbe):
    """False for no ``permissions`` block (default), ``write-all``, or write scopes the assistant does not need."""

    id: ClassVar[str] = "workflowPermissionsLeastPrivilege"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        permissions = subject.facts["permissions"]
        loc = at(subject, permissions)
        if permissions["source"] == "default":
            workflow = github_section(github_settings(subject, ctx), "workflow_permissions")
            default = workflow.get("default_workflow_permissions") if isinstance(workflow, Mapping) else None
            if default == "read":
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{where(subject)} sets no `permissions`, and the repository default is read-only according to "
                    "the GitHub settings (contents and packages read).",
                    loc,
                )
                return
            if default == "write":
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{where(subject)} sets no `permissions`, and the repository default is read/write according to "
                    "the GitHub settings: the assistant gets write access to most scopes.",
                    loc,
                    {"write": "the read/write default", "source": "default"},
                )
                return
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} sets no `permissions`: the assistant gets the token's repository default "
                "(unknown offline), which is read/write for most scopes when the setting is permissive.",
                loc,
                {"write": "default", "source": "default"},
            )
            return
        declared = permissions.get("declared")
        if isinstance(declared, str) and declared.strip().lower() == "write-all":
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} gives the assistant `write-all`: write access to every token scope.",
                loc,
                {"write": "write-all", "source": permissions["source"]},
            )
            return
        needed = set(COMMENT_SCOPES)
        for assistant in subject.facts["assistants"]:
            needed.update(str(s) for s in assistant.get("needs_write") or ())
            if assistant.get("token_input"):
                # With its own token the action does not need the OIDC exchange.
                needed.discard("id-token")
        extra = [scope for scope in permissions["write"] if scope not in needed]
        if extra:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} gives the assistant "
                + code_list(f"{scope}: write" for scope in extra)
                + f" (set at {permissions['source']} level).",
                loc,
                {"write": ", ".join(f"{s}: write" for s in extra), "source": permissions["source"]},
            )
            return
        kept = permissions["write"]
        detail = ("only " + code_list(f"{s}: write" for s in kept)) if kept else "no write scope"
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{where(subject)} gives the assistant {detail} (set at {permissions['source']} level).",
            loc,
        )
