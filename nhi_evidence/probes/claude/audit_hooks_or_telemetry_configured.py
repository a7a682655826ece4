"""auditHooksOrTelemetryConfigured: hooks or OpenTelemetry export record what Claude Code does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from nhi_evidence.model import Location, Outcome, Subject
from nhi_evidence.probes.claude.common import fact, location, no_settings_message, settings_present
from nhi_evidence.probes.interface import ProbeContext, Result, SubjectProbe


class AuditHooksOrTelemetryConfigured(SubjectProbe):
    """True when the project settings define hooks or enable OpenTelemetry (``CLAUDE_CODE_ENABLE_TELEMETRY``)."""

    id: ClassVar[str] = "auditHooksOrTelemetryConfigured"

    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """One result per subject."""
        telemetry = fact(subject, "telemetry")
        hooks = subject.facts.get("hooks")
        if telemetry is None or not isinstance(hooks, list) or not settings_present(subject):
            yield Result(
                subject.id,
                Outcome.NOT_AVAILABLE,
                no_settings_message(subject, "whether its actions are logged"),
                Location(subject.path),
            )
            return
        if telemetry.get("enabled"):
            exporter = telemetry.get("exporter") or "the default exporter"
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} enables OpenTelemetry export ({exporter}) in {telemetry.get('path')}.",
                location(telemetry, subject),
            )
            return
        if hooks:
            first = hooks[0]
            events = sorted({str(h.get("event")) for h in hooks})
            yield Result(
                subject.id,
                Outcome.TRUE,
                f"{subject.name} runs {len(hooks)} hook(s) on {', '.join(events)} from {first.get('path')}.",
                Location(str(first.get("path")), first.get("line")),
            )
            return
        yield Result(
            subject.id,
            Outcome.FALSE,
            f"{subject.name} has no audit logging or hooks configured: its project settings define no hooks "
            "and do not enable OpenTelemetry (CLAUDE_CODE_ENABLE_TELEMETRY).",
            location(fact(subject, "permissions"), subject),
        )
