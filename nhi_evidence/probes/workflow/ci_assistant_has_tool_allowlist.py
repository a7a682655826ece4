"""ciAssistantHasToolAllowlist: every assistant in the job runs with an explicit, bounded tool allowlist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, is_job, where


class CiAssistantHasToolAllowlist(SubjectProbe):
    """One result per assistant step: false without allowlist, with a blanket shell rule, bypass or an unsafe sandbox."""

    id: ClassVar[str] = "ciAssistantHasToolAllowlist"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per assistant step."""
        if not is_job(subject):
            return
        for assistant in subject.facts["assistants"]:
            what = assistant.get("uses") or assistant.get("command")
            head = f"{where(subject)} runs {what} (step {assistant['step']})"
            key = f"{assistant['step']}:{assistant.get('line')}"
            loc = at(subject, assistant)
            rule = at(subject, {"line": assistant.get("rule_line") or assistant.get("line")})
            values = {"step": assistant["step"], "assistant": assistant["assistant"]}
            if assistant.get("bypass"):
                mode = assistant.get("bypass_by") or assistant.get("permission_mode") or "a permission bypass flag"
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{head} with permission checks bypassed (`{mode}`).",
                    rule,
                    values,
                    key=key,
                )
                continue
            if assistant.get("unsafe_sandbox"):
                sandbox = ", ".join(f"{k}: {v}" for k, v in sorted(assistant["sandbox"].items()))
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{head} with an unrestricted sandbox ({sandbox}).",
                    rule,
                    values,
                    key=key,
                )
                continue
            blanket = assistant.get("blanket_tools") or []
            if blanket:
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"{head} and allows every shell command ({code_list(blanket)}).",
                    rule,
                    values,
                    key=key,
                )
                continue
            allowed = assistant.get("allowed_tools")
            if allowed:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{head} with an explicit allowlist of {len(allowed)} tool rule(s).",
                    loc,
                    key=key,
                )
                continue
            explicit = assistant.get("sandbox") or {}
            if explicit:
                shown = ", ".join(f"{k}: {v}" for k, v in sorted(explicit.items()))
                yield Result(
                    subject.id, Outcome.TRUE, f"{head} restricted by an explicit sandbox ({shown}).", loc, key=key
                )
                continue
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{head} without an explicit tool allowlist: what it may run is left to the tool's defaults.",
                loc,
                values,
                key=key,
            )
