"""networkAccessRestricted: the assistant cannot reach any host on the network unasked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Outcome, Subject
from nhi_evidence.probes.assistants.setting_common import fact_location, not_available, setting_fact
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class NetworkAccessRestricted(SubjectProbe):
    """False when the ``network`` fact says any URL can be fetched (or the sandbox lets every connection out)."""

    id: ClassVar[str] = "networkAccessRestricted"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        fact = setting_fact(subject, "network")
        if fact is None or fact.get("unrestricted") is None:
            yield not_available(subject, "a network access setting")
            return
        location = fact_location(subject, fact)
        rules = ", ".join(str(r) for r in (fact.get("rules") or [])[:5]) or "its sandbox or approval setting"
        if fact["unrestricted"]:
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} may reach any host without asking ({rules} in {location.path}).",
                location,
                {"rules": rules},
            )
        else:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} reaches the network only through listed domains or with a prompt ({location.path}).",
                location,
                {"rules": rules},
            )
