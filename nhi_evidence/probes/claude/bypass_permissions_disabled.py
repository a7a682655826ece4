"""bypassPermissionsDisabled: the project does not make bypassPermissions the default or skip its warning."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact, location, no_settings_message, settings_present
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class BypassPermissionsDisabled(SubjectProbe):
    """False when ``permissions.defaultMode`` is ``bypassPermissions`` or ``skipDangerousModePermissionPrompt`` is true."""

    id: ClassVar[str] = "bypassPermissionsDisabled"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        approval = fact(subject, "approval")
        if approval is None or not settings_present(subject):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                no_settings_message(subject, "whether permission prompts may be bypassed"),
                Location(subject.path),
            )
            return
        if approval.get("mode") == "bypassPermissions":
            where = location(approval, subject)
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} runs without approval prompts: {where.path} sets permissions.defaultMode to "
                "bypassPermissions, so every tool runs without asking a person first.",
                where,
                {"setting": "permissions.defaultMode", "value": "bypassPermissions"},
            )
            return
        if approval.get("skip_dangerous_prompt"):
            path = str(approval.get("skip_dangerous_prompt_path") or subject.path)
            line = approval.get("skip_dangerous_prompt_line")
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} enters bypassPermissions mode without warning: {path} sets "
                "skipDangerousModePermissionPrompt to true.",
                Location(path, line if isinstance(line, int) else None),
                {"setting": "skipDangerousModePermissionPrompt", "value": True},
            )
            return
        mode = approval.get("mode") or "default (not set)"
        extra = (
            " and sets permissions.disableBypassPermissionsMode to disable" if approval.get("bypass_disabled") else ""
        )
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{subject.name} uses permission mode {mode}{extra}; permission prompts are not bypassed.",
            location(approval, subject),
            {"mode": mode},
        )
