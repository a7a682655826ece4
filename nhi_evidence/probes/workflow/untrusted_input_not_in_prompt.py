"""untrustedInputNotInPrompt: event text anyone can write is not interpolated into the assistant's prompt."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, is_job, where

#: Sinks through which interpolated text reaches the assistant.
PROMPT_SINKS = frozenset({"prompt", "assistant-input", "assistant-env", "job-env", "workflow-env"})


class UntrustedInputNotInPrompt(SubjectProbe):
    """False when an untrusted context is written with ``${{ }}`` into an assistant input, its env or a CLI prompt."""

    id: ClassVar[str] = "untrustedInputNotInPrompt"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        flows = [f for f in subject.facts.get("untrusted_flows") or () if f.get("sink") in PROMPT_SINKS]
        if not flows:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} interpolates no issue, comment, pull request or commit text into the assistant's "
                "prompt, inputs or environment.",
                at(subject, (subject.facts["assistants"] or [None])[0]),
            )
            return
        first = flows[0]
        contexts = sorted({f["context"] for f in flows})
        places = sorted(
            {f"{f['key'] or f['sink']}" + (f" of step {f['step']}" if f.get("step") else "") for f in flows}
        )
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{where(subject)} writes {code_list(contexts)} into the assistant's {', '.join(places)}: anyone who can "
            "write that text can instruct the assistant.",
            at(subject, first),
            {"contexts": ", ".join(contexts), "step": first.get("step") or first.get("key")},
        )
