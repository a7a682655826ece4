"""untrustedTriggerHasActorGate: a job started by events anyone can cause checks who caused them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, code_list, is_job, where

_GATE_TEXT = {
    "author-association": "an author_association condition",
    "actor-allowlist": "a condition on the triggering actor",
    "label": "a label condition (labels need triage access)",
    "not-fork": "a same-repository (not fork) condition",
    "runtime-permission-check": "a step that checks the actor's repository permission",
}


class UntrustedTriggerHasActorGate(SubjectProbe):
    """True for trusted triggers only, or when an ``if:``, a permission-check step or the action's own write-access check gates the actor."""

    id: ClassVar[str] = "untrustedTriggerHasActorGate"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        facts = subject.facts
        gate = facts["trust_gate"]
        untrusted = facts.get("untrusted_triggers") or []
        loc = at(subject, gate)
        if not untrusted:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} runs only on trusted triggers ({', '.join(facts.get('triggers') or ['none'])}).",
                loc,
            )
            return
        events = code_list(untrusted)
        wide = [w for w in gate.get("widened") or () if str(w.get("value")).strip() == "*"]
        if wide:
            inputs = code_list(f"{w['input']}: '*'" for w in wide)
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} runs on {events} and lets anyone trigger the assistant with {inputs}.",
                at(subject, wide[0]),
                {"events": ", ".join(untrusted)},
            )
            return
        kinds = [k for k in gate.get("conditions") or () if k in _GATE_TEXT]
        if kinds:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} runs on {events} and is gated by " + ", ".join(_GATE_TEXT[k] for k in kinds) + ".",
                loc,
            )
            return
        if gate.get("builtin"):
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} runs on {events}; the assistant action itself refuses actors without write access "
                "(no input widens it).",
                loc,
            )
            return
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{where(subject)} runs on {events} with no condition on who triggered it, and its assistant has no "
            "built-in write-access check: anyone who can open an issue or comment can start it.",
            loc,
            {"events": ", ".join(untrusted)},
        )
