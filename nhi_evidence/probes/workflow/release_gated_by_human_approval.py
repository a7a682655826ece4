"""releaseGatedByHumanApproval: an assistant job that can publish or deploy does so only behind a human gate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe
from nhi_evidence.probes.workflow.common import at, github_section, github_settings, is_job, where

_RELEASE_SCOPES = ("deployments", "packages", "pages")


class ReleaseGatedByHumanApproval(SubjectProbe):
    """Not-available behind an ``environment:`` (its reviewers live in settings); false for ungated publish or push."""

    id: ClassVar[str] = "releaseGatedByHumanApproval"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per job."""
        if not is_job(subject):
            return
        facts = subject.facts
        publish = facts.get("publish") or []
        pushes = [p for p in facts.get("direct_push") or () if p.get("target") in ("default-branch", "tags")]
        granted = facts["permissions"]["write"] if facts["permissions"]["source"] != "default" else []
        scopes = [s for s in _RELEASE_SCOPES if s in granted]
        what = [
            *(f"`{p['kind']}` (step {p['step']})" for p in publish),
            *(("a push to tags" if p["target"] == "tags" else "a push to the default branch") for p in pushes),
        ]
        what += [f"`{s}: write`" for s in scopes]
        environment = facts.get("environment")
        environments = github_section(github_settings(subject, ctx), "environments")
        if environment and isinstance(environments, list):
            yield _environment_result(subject, environment, environments, what)
            return
        if environment:
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{where(subject)} can release ({', '.join(what) or 'deployment environment'}) through environment "
                f"`{environment['name']}`; whether that environment requires a human reviewer is set in the repository "
                "settings, not in the files: give --github-export with environment protection rules to settle it.",
                at(subject, environment),
                {"environment": environment["name"]},
            )
            return
        if _after_reviewed_merge(facts):
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{where(subject)} can release ({', '.join(what) or 'release scope'}) only when it runs after a change "
                f"reached {_post_merge_text(facts)}: the release follows the pull request review of that change "
                "(branch and tag rules in the repository settings decide who may push there).",
                at(subject, (publish or pushes or [None])[0]),
            )
            return
        if not publish and not pushes:
            if facts.get("pr_path") and not scopes:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{where(subject)} releases nothing itself; its writes go through a pull request.",
                    at(subject, facts["pr_path"][0]),
                )
                return
            if not scopes:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"{where(subject)} has no publish, deploy or release step and no release scope.",
                    at(subject),
                )
                return
        first = (publish or pushes or [None])[0]
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{where(subject)} can release ({', '.join(what)}) with no environment or pull request between the "
            "assistant and the release: no human approves it in the pipeline.",
            at(subject, first),
            {"what": ", ".join(what)},
        )


_DEFAULT_BRANCHES = frozenset({"main", "master"})


def _after_reviewed_merge(facts: Mapping[str, Any]) -> bool:
    """True when the job runs only on pushes to the default branch or tags, or on published releases."""
    triggers = set(facts.get("triggers") or ())
    if not triggers or not triggers <= {"push", "release"}:
        return False
    if "push" not in triggers:
        return True
    filters = facts.get("push_filters") or {}
    branches = filters.get("branches")
    if branches is None:
        # Only tag filters: branch pushes do not start the workflow.
        return bool(filters.get("tags")) and "branches-ignore" not in filters
    return bool(branches) and set(branches) <= _DEFAULT_BRANCHES


def _post_merge_text(facts: Mapping[str, Any]) -> str:
    filters = facts.get("push_filters") or {}
    parts = [f"branch {b}" for b in filters.get("branches") or ()] + [f"tags {t}" for t in filters.get("tags") or ()]
    if "release" in (facts.get("triggers") or ()):
        parts.append("a published release")
    return " or ".join(parts) or "the default branch"


def _environment_result(
    subject: Subject, environment: Mapping[str, Any], environments: list[Any], what: list[str]
) -> Result:
    """The verdict once the repository's environment protection rules were collected from GitHub."""
    name = str(environment["name"])
    settings = next((e for e in environments if isinstance(e, Mapping) and e.get("name") == name), None)
    reviewers = int(settings.get("required_reviewers") or 0) if settings else 0
    released = ", ".join(what) or "deployment environment"
    if reviewers > 0 and settings is not None:
        self_review = " (self-review prevented)" if settings.get("prevent_self_review") else ""
        return Result(
            subject.id,
            Outcome.TRUE,
            f"{where(subject)} can release ({released}) only through environment `{name}`, which requires "
            f"{reviewers} reviewer(s){self_review} according to the GitHub settings.",
            at(subject, environment),
        )
    state = "has no required reviewers" if settings is not None else "is not configured (GitHub creates it unprotected)"
    return Result(
        subject.id,
        Outcome.FALSE,
        f"{where(subject)} can release ({released}) through environment `{name}`, which {state} according to the "
        "GitHub settings: no human approves the release.",
        at(subject, environment),
        {"what": released, "environment": name},
    )
