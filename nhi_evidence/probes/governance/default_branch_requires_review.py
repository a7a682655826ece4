"""defaultBranchRequiresReview: the default branch requires an approving review before merge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import mapping, not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class DefaultBranchRequiresReview(SubjectProbe):
    """Branch protection or an active ruleset requires at least one approval."""

    id: ClassVar[str] = "defaultBranchRequiresReview"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per repository."""
        branch = str(subject.facts.get("default_branch", ""))
        if not branch:
            yield not_available(subject, "The repository", unavailable(subject, "repository") or "unknown")
            return
        protection = subject.facts.get("protection")
        rule = mapping(subject, "effective_review_rule")
        have_protection = "protection" in subject.facts
        have_rules = "effective_review_rule" in subject.facts
        if not have_protection and not have_rules:
            yield not_available(
                subject, "Branch protection and rules", unavailable(subject, "branch_protection", "rules")
            )
            return
        count = max(
            int(protection.get("required_approving_review_count", 0)) if isinstance(protection, dict) else 0,
            int(rule.get("required_approving_review_count", 0) or 0),
        )
        where = Location(subject.path, None, f"/branches/{branch}")
        values = {"repository": subject.repository, "branch": branch, "approvals": count}
        if count >= 1:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} requires {count} approving review(s) on {branch}.",
                where,
                values,
            )
        else:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} merges into {branch} without a required approving review.",
                where,
                values,
            )
