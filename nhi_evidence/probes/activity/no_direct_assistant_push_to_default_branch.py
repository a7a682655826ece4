"""noDirectAssistantPushToDefaultBranch: assistant commits reach the default branch through pull requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.activity.common import section, where
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class NoDirectAssistantPushToDefaultBranch(SubjectProbe):
    """Reads the git history summary of one repository."""

    id: ClassVar[str] = "noDirectAssistantPushToDefaultBranch"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False when an assistant-authored commit sits on the first-parent chain outside a pull request merge."""
        facts = subject.facts
        branch = str(facts.get("default_branch", ""))
        total = int(facts.get("assistant_commits", 0))
        direct = section(subject, "direct_pushes")
        count = int(direct.get("count", 0))
        via_pr = int(facts.get("assistant_via_pull_request", 0))
        authored = int(facts.get("assistant_authored", 0))
        bound = (
            f" (latest {facts.get('commits_read')} commits read, limit {facts.get('limit')})"
            if facts.get("truncated")
            else ""
        )
        values = {
            "repository": subject.repository or ".",
            "branch": branch,
            "assistant_commits": total,
            "direct_pushes": count,
            "via_pull_request": via_pr,
            "coauthored_direct": int(direct.get("coauthored_count", 0)),
            "samples": list(direct.get("samples", ())),
        }
        if total == 0:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"No assistant commit in the history of {branch}{bound}.",
                where(subject),
                values,
            )
        elif count:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{count} of {authored} assistant-authored commit(s) in {branch} of "
                f"{subject.repository or '.'} were pushed directly, without a pull request; {via_pr} arrived through "
                f"pull requests ({total} assistant commit(s) in all, co-authored ones included{bound}).",
                where(subject),
                values,
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"None of the {authored} assistant-authored commit(s) in {branch} of {subject.repository or '.'} was pushed "
                f"directly; {via_pr} arrived through pull requests ({total} assistant commit(s) in all{bound}).",
                where(subject),
                values,
            )
