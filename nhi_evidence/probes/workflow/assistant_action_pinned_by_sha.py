"""assistantActionPinnedBySha: the assistant action and every other action of its job are pinned to a commit SHA."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, is_job, where


class AssistantActionPinnedBySha(SubjectProbe):
    """False when any non-local ``uses:`` of the job is a tag, branch or bare reference (assistant action first)."""

    id: ClassVar[str] = "assistantActionPinnedBySha"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        uses = [u for u in subject.facts.get("uses") or () if u.get("kind") != "local"]
        if not uses:
            yield Result(subject.id, Outcome.TRUE, f"{where(subject)} uses no third-party action.", at(subject))
            return
        unpinned = sorted((u for u in uses if u.get("pin") != "sha"), key=lambda u: (not u.get("assistant"), u["uses"]))
        if not unpinned:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} pins all {len(uses)} action(s) it uses, the assistant's included, to a full commit SHA.",
                at(subject, next((u for u in uses if u.get("assistant")), uses[0])),
            )
            return
        shown = ", ".join(f"`{u['uses']}` ({u['pin']})" for u in unpinned)
        assistant_unpinned = any(u.get("assistant") for u in unpinned)
        lead = "runs the assistant action unpinned" if assistant_unpinned else "pins the assistant action but not"
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{where(subject)} {lead}: {shown} {'is' if len(unpinned) == 1 else 'are'} not pinned to a full commit SHA.",
            at(subject, unpinned[0]),
            {"unpinned": ", ".join(u["uses"] for u in unpinned), "assistant_unpinned": assistant_unpinned},
        )
