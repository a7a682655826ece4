"""apiKeyScopedToAssistantStep: the model API key reaches only the step that runs the assistant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, is_job, where

_WIDE = {
    "job-env": "job-level `env` (every step of the job sees it)",
    "workflow-env": "workflow-level `env` (every step of every job sees it)",
    "job": "job-level settings",
    "inherit": "`secrets: inherit` (the called workflow receives every secret)",
}


class ApiKeyScopedToAssistantStep(SubjectProbe):
    """False when an API key is written inline, set in job or workflow env, inherited, or given to another step."""

    id: ClassVar[str] = "apiKeyScopedToAssistantStep"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        facts = subject.facts
        inline = facts.get("inline_secrets") or []
        if inline:
            first = inline[0]
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)}: {len(inline)} credential(s) are written inline in the workflow "
                f"(first: {first['detector']} {first['fingerprint']}"
                + (f" under `{first['key']}`" if first.get("key") else "")
                + ").",
                Location(subject.path, first.get("line")),
                {"name": first.get("key") or first["fingerprint"], "place": "the workflow file"},
            )
            return
        keys = [s for s in facts.get("secrets") or () if s.get("api_key")]
        if not keys:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} references no model API key secret (the assistant authenticates another way).",
                at(subject),
            )
            return
        exposed = [s for s in keys if s["where"] in _WIDE]
        exposed += [s for s in keys if s["where"] not in _WIDE and not s.get("assistant_step")]
        if exposed:
            first = exposed[0]
            place = _WIDE.get(first["where"], f"step {first['step']}, which does not run the assistant")
            name = "every secret" if first["name"] == "*" else f"`{first['name']}`"
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} exposes {name} beyond the assistant step through {place}.",
                at(subject, first),
                {"name": first["name"], "place": place},
            )
            return
        names = sorted({s["name"] for s in keys})
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{where(subject)} passes {', '.join(f'`{n}`' for n in names)} only to the assistant step.",
            at(subject, keys[0]),
        )
