"""untrustedCheckoutNotExecuted: a privileged run does not check out the head of an untrusted pull request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, is_job, where

#: Events that run with the base repository's token and secrets for fork pull requests.
PRIVILEGED = ("pull_request_target", "issue_comment", "workflow_run")


class UntrustedCheckoutNotExecuted(SubjectProbe):
    """False when actions/checkout fetches a pull request head under a privileged trigger."""

    id: ClassVar[str] = "untrustedCheckoutNotExecuted"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        facts = subject.facts
        privileged = [t for t in PRIVILEGED if t in (facts.get("triggers") or ())]
        if not privileged:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} has no privileged trigger ({code_list(PRIVILEGED)}) that would run fork code with secrets.",
                at(subject),
            )
            return
        checkouts = facts.get("checkouts") or []
        heads = [c for c in checkouts if c.get("untrusted_head")]
        if heads:
            first = heads[0]
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} checks out the pull request head (`ref: {first['ref']}`) under "
                f"{code_list(privileged)}: code from a fork runs next to the assistant with the job's token and secrets.",
                at(subject, first),
                {"ref": first["ref"], "events": ", ".join(privileged)},
            )
            return
        dynamic = [c for c in checkouts if c.get("dynamic_ref")]
        if dynamic:
            first = dynamic[0]
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{where(subject)} checks out a ref computed by an earlier step (`{first['ref']}`) under "
                f"{code_list(privileged)}; whether it is a fork's head is decided at run time.",
                at(subject, first),
            )
            return
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{where(subject)} runs on {code_list(privileged)} without checking out a pull request head.",
            at(subject, checkouts[0] if checkouts else None),
        )
