"""environmentsProtected: deployment environments require a reviewer or restrict branches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import not_available, unavailable
from nhi_evidence.probes.identity.common import subject_repository
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


def assistant_environments(subject: Subject, ctx: ProbeContext) -> dict[str, list[str]]:
    """Environment name -> assistant CI jobs of the same repository (by folder name) that deploy to it."""
    name = subject.repository.rsplit("/", 1)[-1]
    used: dict[str, list[str]] = {}
    for other in ctx.subjects:
        if other.kind != "ci-workflow" or subject_repository(other, ctx.evidence).rsplit("/", 1)[-1] != name:
            continue
        environment = other.facts.get("environment")
        if isinstance(environment, dict) and environment.get("name"):
            used.setdefault(str(environment["name"]), []).append(other.name)
    return {k: sorted(v) for k, v in used.items()}


class EnvironmentsProtected(SubjectProbe):
    """One result per environment of a repository."""

    id: ClassVar[str] = "environmentsProtected"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """True for an environment with required reviewers or a deployment branch policy."""
        if "environments" not in subject.facts:
            yield not_available(subject, "Deployment environments", unavailable(subject, "environments", "repository"))
            return
        environments = subject.facts.get("environments") or []
        if not environments:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"{subject.name} has no deployment environment.",
                Location(subject.path),
            )
            return
        used = assistant_environments(subject, ctx)
        for env in environments:
            name = str(env.get("name"))
            where = Location(subject.path, None, f"/environments/{name}")
            jobs = used.get(name, [])
            values = {"repository": subject.repository, "environment": name, "assistant_jobs": jobs}
            note = f" It is used by assistant job(s): {', '.join(jobs)}." if jobs else ""
            if env.get("required_reviewers"):
                outcome = Outcome.TRUE
                message = (
                    f"Environment {name} of {subject.name} requires {env.get('required_reviewers')} reviewer(s).{note}"
                )
            elif env.get("branch_policy"):
                outcome = Outcome.TRUE
                message = (
                    f"Environment {name} of {subject.name} accepts deployments from protected branches only.{note}"
                )
            else:
                outcome = Outcome.FALSE
                message = (
                    f"Environment {name} of {subject.name} has no required reviewer and no branch policy"
                    + (f" (only a {env.get('wait_timer')}-minute wait timer)." if env.get("wait_timer") else ".")
                    + note
                )
            yield Result(subject.id, outcome, message, where, values, key=name)
