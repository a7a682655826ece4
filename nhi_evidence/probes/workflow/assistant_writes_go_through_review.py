"""assistantWritesGoThroughReview: the assistant's changes reach protected code only through a reviewed pull request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, github_section, github_settings, is_job, where


class AssistantWritesGoThroughReview(SubjectProbe):
    """False for a push to the default branch, an approve/merge step, or a personal or App token handed to the assistant."""

    id: ClassVar[str] = "assistantWritesGoThroughReview"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        facts = subject.facts
        pushes = [p for p in facts.get("direct_push") or () if p.get("target") == "default-branch"]
        if pushes:
            first = pushes[0]
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} pushes straight to the default branch (`{first['kind']}` in step {first['step']}), "
                "bypassing pull request review.",
                at(subject, first),
                {"how": f"the push in step {first['step']}"},
            )
            return
        approvals = facts.get("approvals") or []
        if approvals:
            first = approvals[0]
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} approves or merges pull requests itself (`{first['kind']}` in step {first['step']}): "
                "the assistant's change can be approved by the same workflow.",
                at(subject, first),
                {"how": f"step {first['step']}"},
            )
            return
        tokens = [a for a in facts["assistants"] if a.get("token_input") not in (None, "GITHUB_TOKEN")]
        pats = [c for c in facts.get("checkouts") or () if c.get("pat") and c.get("persist_credentials")]
        if tokens or pats:
            name = tokens[0]["token_input"] if tokens else pats[0]["token"]
            item = {"line": tokens[0].get("token_line") or tokens[0].get("line")} if tokens else pats[0]
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} gives the assistant the token `{name}` instead of the job token: a personal or App "
                "token may approve pull requests or bypass branch rules.",
                at(subject, item),
                {"how": f"the token {name}"},
            )
            return
        note = ""
        token_may_review = (
            "pull-requests" in facts["permissions"]["write"] or facts["permissions"]["source"] == "default"
        )
        workflow = github_section(github_settings(subject, ctx), "workflow_permissions")
        if token_may_review and isinstance(workflow, Mapping) and workflow.get("can_approve_pull_request_reviews"):
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{where(subject)} gives the assistant a token with pull request write access, and the repository "
                "lets GitHub Actions approve pull requests (can_approve_pull_request_reviews, GitHub settings): the "
                "assistant can approve its own change.",
                at(subject, facts["permissions"]),
                {"how": "the job token's pull request approval right"},
            )
            return
        if token_may_review and isinstance(workflow, Mapping):
            note = " The repository does not let GitHub Actions approve pull requests (GitHub settings)."
        elif token_may_review:
            note = (
                " Whether the job token may approve pull requests depends on the repository setting "
                "can_approve_pull_request_reviews (give --github-export to check)."
            )
        via = " through a pull request" if facts.get("pr_path") else ""
        yield Result(
            subject.id,
            Outcome.TRUE,
            f"{where(subject)} neither pushes to the default branch nor approves pull requests; its writes go{via} "
            f"to review.{note}",
            at(subject),
        )
