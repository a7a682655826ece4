"""secretFilesDenied: deny rules keep Claude Code from reading .env files and keys or credentials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact, location, no_settings_message, settings_present
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class SecretFilesDenied(SubjectProbe):
    """True when deny rules cover ``.env`` files and at least one of secrets folders, keys or credential files."""

    id: ClassVar[str] = "secretFilesDenied"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        denial = fact(subject, "secret_files_denied")
        if denial is None or not settings_present(subject):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                no_settings_message(subject, "whether secret files are denied"),
                Location(subject.path),
            )
            return
        where = location(denial, subject)
        missing = [str(item) for item in denial.get("missing") or []]
        rules = [str(rule) for rule in denial.get("rules") or []]
        if denial.get("denied"):
            note = f"; not covered: {', '.join(missing)}" if missing else ""
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} denies reading secret files with {len(rules)} rule(s) in {where.path}{note}.",
                where,
                {"rules": rules, "missing": missing},
            )
            return
        if rules:
            detail = f"its deny rules ({', '.join(rules)}) leave out {', '.join(missing)}"
        else:
            detail = "no deny rule covers .env files, secrets folders, private keys or credential files"
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{subject.name} may read secret files without asking: in {where.path} {detail}.",
            where,
            {"missing": ", ".join(missing), "rules": rules},
        )
