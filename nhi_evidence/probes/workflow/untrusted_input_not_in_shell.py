"""untrustedInputNotInShell: event text anyone can write is not interpolated into run: scripts of the job."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, is_job, where


class UntrustedInputNotInShell(SubjectProbe):
    """False when an untrusted context is written with ``${{ }}`` into a ``run:`` script or github-script code."""

    id: ClassVar[str] = "untrustedInputNotInShell"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        flows = [f for f in subject.facts.get("untrusted_flows") or () if f.get("sink") == "run"]
        if not flows:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} interpolates no untrusted event text into shell or script code.",
                at(subject),
            )
            return
        first = flows[0]
        contexts = sorted({f["context"] for f in flows})
        steps = sorted({str(f.get("step")) for f in flows})
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{where(subject)} interpolates {code_list(contexts)} into the code of step(s) {', '.join(steps)}: "
            "a crafted title or comment runs commands with the job's token and secrets.",
            at(subject, first),
            {"contexts": ", ".join(contexts), "step": first.get("step")},
        )
