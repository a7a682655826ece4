"""assistantCannotBypassReview: no assistant App may bypass the review rules of the default branch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.assistant_app_installations_scoped import is_assistant_slug
from nhi_evidence.probes.governance.common import not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AssistantCannotBypassReview(SubjectProbe):
    """Ruleset bypass actors and branch protection allowances, checked for assistant Apps."""

    id: ClassVar[str] = "assistantCannotBypassReview"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per repository."""
        if "bypass_actors" not in subject.facts and "protection" not in subject.facts:
            yield not_available(
                subject,
                "Rulesets and branch protection",
                unavailable(subject, "rulesets", "branch_protection", "repository"),
            )
            return
        found = []
        for actor in subject.facts.get("bypass_actors") or ():
            if actor.get("assistant"):
                found.append(f"{actor.get('app_slug')} ({actor.get('bypass_mode')}) in ruleset {actor.get('ruleset')}")
        protection = subject.facts.get("protection")
        if isinstance(protection, dict):
            for slug in [*protection.get("bypass_apps", ()), *protection.get("push_apps", ())]:
                if is_assistant_slug(slug):
                    found.append(f"{slug} in branch protection allowances")
        where = Location(subject.path)
        if found:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"Assistant Apps can bypass review on {subject.name}: {'; '.join(sorted(found))}.",
                where,
                {"repository": subject.repository, "bypass": "; ".join(sorted(found))},
            )
        else:
            yield Result(subject.id, Outcome.TRUE, f"No assistant App is a bypass actor on {subject.name}.", where)
