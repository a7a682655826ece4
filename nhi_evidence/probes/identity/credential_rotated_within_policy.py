"""credentialRotatedWithinPolicy: static credentials were created or rotated within the rotation policy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.collectors.inventory import SHORT_LIVED_TYPES
from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.identity.common import identity, location_of, parse_date
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe

#: Default rotation policy in days (``--rotation-days``).
DEFAULT_ROTATION_DAYS = 90


def rotation_days(ctx: ProbeContext) -> int:
    """The rotation policy of the run."""
    try:
        value = int(ctx.options.get("rotation_days") or DEFAULT_ROTATION_DAYS)
    except (TypeError, ValueError):
        return DEFAULT_ROTATION_DAYS
    return value if value > 0 else DEFAULT_ROTATION_DAYS


class CredentialRotatedWithinPolicy(SubjectProbe):
    """One result per live static credential of an active identity."""

    id: ClassVar[str] = "credentialRotatedWithinPolicy"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """Age = now - (last_rotated or created), against ``rotation_days``."""
        entry = identity(subject)
        path, line, pointer = location_of(subject)
        name = entry.get("id", "")
        policy = rotation_days(ctx)
        checked = False
        for index, credential in enumerate(entry.get("credentials") or ()):
            cred = str(credential.get("id"))
            where = Location(path, line, f"{pointer}/credentials/{index}" if pointer else None)
            if credential.get("status") == "revoked" or credential.get("type") in SHORT_LIVED_TYPES:
                continue
            checked = True
            since = parse_date(credential.get("last_rotated")) or parse_date(credential.get("created"))
            if since is None:
                yield Result(
                    subject.id,
                    Outcome.NOT_AVAILABLE,
                    f"Credential {cred} of identity {name} records neither a creation nor a rotation date.",
                    where,
                    key=cred,
                )
                continue
            age = (ctx.now - since).days
            values = {"identity": name, "credential": cred, "age_days": age, "rotation_days": policy}
            if age > policy:
                yield Result(
                    subject.id,
                    Outcome.FALSE,
                    f"Credential {cred} of identity {name} was last rotated {age} days ago (policy: {policy} days).",
                    where,
                    values,
                    key=cred,
                )
            else:
                yield Result(
                    subject.id,
                    Outcome.TRUE,
                    f"Credential {cred} of identity {name} was rotated {age} days ago (policy: {policy} days).",
                    where,
                    values,
                    key=cred,
                )
        if not checked:
            yield Result(
                subject.id,
                Outcome.NOT_APPLICABLE,
                f"Identity {name} holds no live static credential to rotate.",
                Location(path, line, pointer),
            )
