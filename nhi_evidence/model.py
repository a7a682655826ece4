"""Core data types shared by every stage of the pipeline.

collect (sources -> Evidence, Subjects, Skips, CollectionErrors)
    -> probe (Subjects + Evidence -> Findings)
    -> map (Findings -> ControlResults)
    -> render (Assessment -> JSON, OSCAL, PDF, ...)

Every type here is a frozen dataclass holding plain, JSON-compatible data so that results can cross
process boundaries (collection runs in worker processes), be serialised deterministically and be
compared between runs. Nothing in this module touches the host.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Version of the JSON contract written by ``--format json`` (see README, "The JSON contract").
SCHEMA_VERSION = 1


class Outcome(enum.StrEnum):
    """The result of one probe for one subject: whether the probe's yes/no statement holds."""

    TRUE = "true"
    """The statement holds: the good practice is in place."""
    FALSE = "false"
    """The statement does not hold: a finding that counts against the mapped controls."""
    NOT_AVAILABLE = "not-available"
    """The evidence needed to decide was not collected (never counted as false)."""
    NOT_APPLICABLE = "not-applicable"
    """The subject's capability tier cannot be concerned by the probe."""
    ERROR = "error"
    """The probe could not evaluate the evidence (malformed input, recorded as an error)."""


class Severity(enum.StrEnum):
    """How much a false outcome matters; ordered from least to most severe."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position in the ordering (info=0 ... critical=4), for threshold comparisons."""
        return list(Severity).index(self)


class ControlStatus(enum.StrEnum):
    """The assessed state of one control of one framework."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not-satisfied"
    NOT_ASSESSED = "not-assessed"
    NOT_APPLICABLE = "not-applicable"


class Tier(enum.StrEnum):
    """Capability tier of an assistant identity, from least to most able to act.

    The tier answers the governance question "does it merely suggest code, or can it act?" and
    decides which probes (and so which controls) apply to a subject.
    """

    ADVISORY = "advisory"
    """No tools that act, no network, no credentials: suggestions only."""
    LOCAL_ACTOR = "local-actor"
    """Edits files or runs commands on a workstation."""
    REPOSITORY_ACTOR = "repository-actor"
    """Commits, opens pull requests or comments with a token."""
    PIPELINE_ACTOR = "pipeline-actor"
    """Runs in CI with a token, secrets or cloud credentials."""
    RELEASE_ACTOR = "release-actor"
    """Can publish, deploy, create releases or change infrastructure."""

    @property
    def rank(self) -> int:
        """Position in the ordering (advisory=0 ... release-actor=4)."""
        return list(Tier).index(self)


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a collected source a finding or fact sits."""

    path: str
    """Path relative to the scanned root (POSIX separators), or a URI for non-file sources."""
    line: int | None = None
    """1-based line number, when known."""
    pointer: str | None = None
    """JSON pointer into the parsed document (RFC 6901), when known."""


@dataclass(frozen=True, slots=True)
class Capability:
    """The capability tier of a subject and the evidence-based reasons for it."""

    tier: Tier
    """The highest tier the evidence supports."""
    reasons: tuple[str, ...] = ()
    """Full sentences naming the evidence behind the tier, most decisive first."""


@dataclass(frozen=True, slots=True)
class Subject:
    """A non-human identity, or a thing assessed on its behalf, with a stable id.

    Examples: the Claude Code configuration of one repository, one CI job that runs an assistant,
    an identity listed in the inventory.
    """

    id: str
    """Stable identifier derived from kind, repository and path (never from content or time)."""
    kind: str
    """Assistant kind: claude-code, cursor, copilot, codex, gemini-cli, aider, continue, ci-workflow,
    or another kind a collector defines (inventory-identity, github-repository, ...)."""
    name: str
    """Human-readable name ("Claude Code in acme/api")."""
    path: str
    """Primary location relative to the scanned root (a repository folder or a file)."""
    repository: str
    """The repository (relative folder) the subject belongs to; "" for organisation-level subjects."""
    capability: Capability
    """Capability tier and reasons."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """Normalised, redacted facts collectors extracted for probes (vocabulary in ``facts.py``)."""
    evidence_ids: tuple[str, ...] = ()
    """Ids of the Evidence records this subject was built from."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One collected source, as collected, with secrets already replaced by fingerprints."""

    id: str
    """Stable id (kind + path), used by findings and OSCAL observations."""
    collector: str
    """Name of the collector that produced it."""
    source: str
    """Path relative to the scanned root, or a URI (``github://org/repo/...``, ``auditlog://...``)."""
    media_type: str
    """Format of the source: application/json, application/jsonc, application/yaml, application/toml, text/markdown, ..."""
    sha256: str
    """SHA-256 of the raw bytes as read (hex)."""
    size: int
    """Size in bytes of the raw source."""
    collected_at: datetime
    """When it was read (from the injected clock)."""
    data: Any = None
    """The parsed document with every secret value replaced by its fingerprint; None for presence-only evidence."""
    repository: str = ""
    """Repository folder relative to the scanned root."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A source that was looked for and deliberately not collected (absent, too large, a symlink leaving the root...)."""

    path: str
    """Path relative to the scanned root."""
    reason: str
    """Full sentence saying why it was skipped."""
    collector: str = ""
    """Collector that skipped it, when one did."""


@dataclass(frozen=True, slots=True)
class CollectionError:
    """A source that could not be collected because it is malformed or unreadable: evidence of a collection error."""

    path: str
    """Path relative to the scanned root (escaped for display by renderers)."""
    message: str
    """Full sentence naming the problem (never contains file content)."""
    collector: str = ""
    """Collector that hit the problem."""
    line: int | None = None
    """1-based line where a parser stopped, when known."""


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one probe for one subject."""

    id: str
    """Stable id derived from probe, subject and location."""
    probe: str
    """Probe id (a yes/no statement such as ``bypassPermissionsDisabled``)."""
    outcome: Outcome
    """Whether the probe's statement holds."""
    severity: Severity
    """Severity of the probe when false (reported for every outcome, meaningful for false)."""
    message: str
    """Full sentence naming the subject and what was seen."""
    subject: str
    """Subject id."""
    location: Location | None = None
    """Primary location of what was seen."""
    evidence_ids: tuple[str, ...] = ()
    """Evidence records that support the outcome."""
    remediation: str = ""
    """What to do when the outcome is false (from the probe definition, placeholders filled)."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Structured detail (redacted) for machine consumers: rule text, permission names, fingerprints."""

    @property
    def key(self) -> tuple[str, str, str]:
        """Stable key used for diffs and risk acceptance: (probe, subject, location path)."""
        return (self.probe, self.subject, self.location.path if self.location else "")


@dataclass(frozen=True, slots=True)
class Control:
    """One control (requirement) of a framework catalog."""

    id: str
    """Official short id (NHI1, ASI01, PR.AA-05)."""
    title: str
    """Official title, or the NIST subcategory text for CSF."""
    framework: str
    """Framework id this control belongs to."""
    label: str = ""
    """Official long form when it differs from id (``NHI1:2025``)."""
    summary: str = ""
    """Description (project's own words for OWASP, verbatim NIST text for CSF)."""
    group: str = ""
    """Grouping id (CSF category such as PR.AA; empty for flat lists)."""
    url: str = ""
    """Official page for the control, when one exists."""
    replaces: tuple[str, ...] = ()
    """Ids of an earlier version this control replaces (CSF 1.1 ids for CSF 2.0 subcategories)."""


@dataclass(frozen=True, slots=True)
class ControlGroup:
    """A grouping level of a framework (CSF function or category)."""

    id: str
    """Group id (GV, GV.OC)."""
    title: str
    """Group title."""
    parent: str = ""
    """Parent group id, empty at the top."""
    text: str = ""
    """Description."""


@dataclass(frozen=True, slots=True)
class Framework:
    """A catalog of controls, shipped in ``mappings/frameworks`` or added with ``--mappings``."""

    id: str
    """Framework id used everywhere (owasp-nhi-top10-2025, owasp-agentic-top10-2026, nist-csf-2.0)."""
    title: str
    """Official name."""
    version: str
    """Official version."""
    controls: tuple[Control, ...]
    """Every control, in catalog order."""
    groups: tuple[ControlGroup, ...] = ()
    """Grouping levels in catalog order (may be empty)."""
    source: tuple[str, ...] = ()
    """Where the catalog text comes from (URLs)."""
    license: str = ""
    """Licence and attribution text for the catalog content."""
    publisher: str = ""
    """Who publishes the framework."""

    def control(self, control_id: str) -> Control | None:
        """Return the control with this id, or None."""
        for control in self.controls:
            if control.id == control_id:
                return control
        return None


@dataclass(frozen=True, slots=True)
class ControlResult:
    """The assessed status of one control, with the findings that decided it."""

    framework: str
    """Framework id."""
    control_id: str
    """Control id within the framework."""
    status: ControlStatus
    """satisfied / not-satisfied / not-assessed / not-applicable."""
    reason: str
    """One-line explanation of the status."""
    findings: tuple[str, ...] = ()
    """Ids of the findings that decided the status (false ones for not-satisfied, all for satisfied)."""
    probes: tuple[str, ...] = ()
    """Probes mapped to this control."""


@dataclass(frozen=True, slots=True)
class ScanScope:
    """What was scanned and with which options, recorded in every output."""

    roots: tuple[str, ...]
    """Display names of the scanned roots (as given, never an absolute home path)."""
    repositories: tuple[str, ...]
    """Repository folders found, relative to their root."""
    collectors: tuple[str, ...]
    """Collectors that ran."""
    sources: Mapping[str, Any] = field(default_factory=dict)
    """Other sources and options used (inventory, audit logs, GitHub org, ...), redacted."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything one run established: the single object every renderer and the differ consume."""

    id: str
    """Assessment id (uuid5 of the scope and inputs)."""
    tool_version: str
    """nhi-evidence version that produced it."""
    created_at: datetime
    """When the run happened (the injected clock): the one declared timestamp."""
    scope: ScanScope
    """What was scanned."""
    subjects: tuple[Subject, ...]
    """Every subject, sorted by id."""
    evidence: tuple[Evidence, ...]
    """Every evidence record, sorted by id."""
    findings: tuple[Finding, ...]
    """Every finding, sorted by id."""
    control_results: tuple[ControlResult, ...]
    """Every control of every framework, in framework then catalog order."""
    frameworks: tuple[Framework, ...]
    """The frameworks assessed."""
    skips: tuple[Skip, ...] = ()
    """Sources skipped, sorted by path."""
    errors: tuple[CollectionError, ...] = ()
    """Collection errors, sorted by path."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Free-form run metadata (organisation, period, options), JSON-compatible."""

    def findings_by_id(self) -> dict[str, Finding]:
        """Index findings by id."""
        return {f.id: f for f in self.findings}

    def subjects_by_id(self) -> dict[str, Subject]:
        """Index subjects by id."""
        return {s.id: s for s in self.subjects}
