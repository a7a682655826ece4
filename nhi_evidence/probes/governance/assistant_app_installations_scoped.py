"""assistantAppInstallationsScoped: assistant GitHub Apps are installed on selected repositories without admin permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.github.accounts import known_accounts
from nhi_evidence.github.governance import ADMIN_PERMISSIONS
from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.governance.common import not_available, unavailable
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


def is_assistant_slug(slug: str) -> bool:
    """Whether an App slug is a known assistant App."""
    return bool(known_accounts().app(slug))


class AssistantAppInstallationsScoped(SubjectProbe):
    """One result per assistant App installation of the organisation."""

    id: ClassVar[str] = "assistantAppInstallationsScoped"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """False for an installation on all repositories or with administration permissions."""
        if "installations" not in subject.facts or unavailable(subject, "installations"):
            yield not_available(subject, "App installations", unavailable(subject, "installations") or "unknown")
            return
        assistants = [i for i in subject.facts.get("installations") or () if i.get("assistant")]
        if not assistants:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"{subject.name} has no assistant App installed.",
                Location(subject.path),
            )
            return
        for install in assistants:
            slug = str(install.get("app_slug"))
            permissions = install.get("permissions") or {}
            admin = sorted(p for p in ADMIN_PERMISSIONS if permissions.get(p) in ("write", "admin"))
            problems = []
            if install.get("repository_selection") == "all":
                problems.append("installed on all repositories")
            if admin:
                problems.append(f"write access to {', '.join(admin)}")
            where = Location(subject.path, None, f"/installations/{slug}")
            values = {"app": slug, "problems": "; ".join(problems), "permissions": dict(permissions)}
            if problems:
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"Assistant App {slug} in {subject.name} is {'; '.join(problems)}.",
                    where,
                    values,
                    key=slug,
                )
            else:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"Assistant App {slug} in {subject.name} is installed on selected repositories without administration rights.",
                    where,
                    values,
                    key=slug,
                )
