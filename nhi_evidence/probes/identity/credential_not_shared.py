"""credentialNotShared: no credential is shared between identities or between environments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome
from nhi_evidence.probes.identity.common import identity, inventory_subjects, location_of
from nhi_evidence.probes.interface import Probe, ProbeContext, Result


def credential_key(credential: dict[str, object]) -> str:
    """What makes two inventory credentials the same secret: its storage location, else its id."""
    return str(credential.get("stored_in") or credential.get("id") or "").strip().lower()


class CredentialNotShared(Probe):
    """Cross-identity check: one result per live credential."""

    id: ClassVar[str] = "credentialNotShared"

    def run(self, ctx: ProbeContext) -> Iterable[Result]:
        """False when a credential is held by several identities or used in several environments."""
        subjects = inventory_subjects(ctx.subjects)
        holders: dict[str, set[str]] = defaultdict(set)
        for subject in subjects:
            for credential in identity(subject).get("credentials") or ():
                if credential.get("status") != "revoked":
                    holders[credential_key(credential)].add(str(identity(subject).get("id")))
        for subject in subjects:
            entry = identity(subject)
            name = str(entry.get("id"))
            path, line, pointer = location_of(subject)
            for index, credential in enumerate(entry.get("credentials") or ()):
                if credential.get("status") == "revoked":
                    continue
                cred = str(credential.get("id"))
                where = Location(path, line, f"{pointer}/credentials/{index}" if pointer else None)
                others = sorted(holders[credential_key(credential)] - {name})
                environments = sorted(str(e) for e in credential.get("environments") or ())
                problems = []
                if others:
                    problems.append(f"also held by {', '.join(others)}")
                if len(environments) > 1:
                    problems.append(f"used in {len(environments)} environments ({', '.join(environments)})")
                values = {
                    "identity": name,
                    "credential": cred,
                    "shared_with": ", ".join(others),
                    "environments": ", ".join(environments),
                }
                if problems:
                    yield Result(
                        subject.id,
                        Outcome.FALSE,
                        f"Credential {cred} of identity {name} is shared: {'; '.join(problems)}.",
                        where,
                        values,
                        key=cred,
                    )
                else:
                    yield Result(
                        subject.id,
                        Outcome.TRUE,
                        f"Credential {cred} of identity {name} is used by one identity in at most one environment.",
                        where,
                        values,
                        key=cred,
                    )
