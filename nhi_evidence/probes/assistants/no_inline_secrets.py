"""noInlineSecrets: no secret is written inline in an assistant's configuration or its MCP servers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class NoInlineSecrets(SubjectProbe):
    """False for each credential found written in the subject's configuration files (reads the ``secrets`` fact)."""

    id: ClassVar[str] = "noInlineSecrets"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One false result per secret, or one true result when none was found."""
        secrets = subject.facts.get("secrets")
        if not isinstance(secrets, list):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                f"{subject.name}: its configuration was not scanned for secrets.",
                Location(subject.path),
            )
            return
        sources = subject.facts.get("sources") or [subject.path]
        if not secrets:
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} has no secret written inline in {len(sources)} configuration file(s) read.",
                Location(subject.path),
            )
            return
        for secret in secrets:
            path = str(secret.get("path") or subject.path)
            line = secret.get("line") if isinstance(secret.get("line"), int) else None
            key = str(secret.get("key") or "")
            detector = str(secret.get("detector"))
            fingerprint = str(secret.get("fingerprint"))
            under = f" under {key}" if key else ""
            at = f" at line {line}" if line else ""
            yield Result(
                subject.id,
                Outcome.FALSE,
                f"{subject.name} has a secret written inline: {path}{at} holds a credential ({detector}){under} "
                f"(fingerprint {fingerprint}).",
                Location(path, line, str(secret.get("pointer") or "") or None),
                {"detector": detector, "fingerprint": fingerprint, "key": key or "the value"},
                key=f"{path}#{secret.get('pointer')}#{fingerprint}",
            )
