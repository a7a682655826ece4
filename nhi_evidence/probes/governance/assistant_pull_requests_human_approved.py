"""assistantPullRequestsHumanApproved: merged assistant-authored pull requests had a human approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import mapping, not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantPullRequestsHumanApproved(SubjectProbe):
    """Rate of assistant pull requests merged with a human approval."""

    id: ClassVar[str] = "assistantPullRequestsHumanApproved"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per repository."""
        pulls = mapping(subject, "pull_requests")
        if not pulls:
            yield not_available(
                subject, "Pull requests", unavailable(subject, "pull_requests", "repository") or "unknown"
            )
            return
        merged = int(pulls.get("assistant_merged", 0))
        approved = int(pulls.get("human_approved", 0))
        without = list(pulls.get("without_human_approval") or ())
        where = Location(subject.path, None, "/pulls")
        values = {
            "repository": subject.repository,
            "merged": merged,
            "approved": approved,
            "numbers": ", ".join(f"#{n}" for n in without),
        }
        window = f"among the last {pulls.get('window')} closed pull requests"
        if merged == 0:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"No assistant-authored pull request was merged in {subject.name} {window}.",
                where,
                values,
            )
        elif without:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{approved} of {merged} assistant-authored pull requests merged in {subject.name} had a human approval ({window}); without: {values['numbers']}.",
                where,
                values,
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{approved} of {merged} assistant-authored pull requests merged in {subject.name} had a human approval ({window}).",
                where,
                values,
            )
