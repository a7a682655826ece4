"""The probe extension point.

A probe is a yes/no statement about a subject (``bypassPermissionsDisabled``), with its wording in a
definition file beside its code (``<module>.yml``: what true and false mean, severity, remediation,
the subject kinds and lowest capability tier it concerns, the evidence source it needs). The code
is small and pure: it reads a subject's normalised facts and returns ``Result``s; the engine turns
them into ``Finding``s, fills severity and remediation from the definition, and gives
``not-applicable`` to subjects below the probe's tier without calling it.

Adding a probe: ``<module>.py`` with a ``Probe`` subclass, ``<module>.yml`` with its definition, one
line in the family's ``PROBES`` list, and links to controls in ``mappings/links/*.yaml``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import yaml

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.ids import short_id
from nhi_evidence.model import Evidence, Finding, Location, Outcome, Severity, Subject, Tier

#: Evidence sources a probe may need; controls left unassessed name the missing source.
SOURCES: dict[str, str] = {
    "repository": "assistant configuration and workflow files in the scanned repositories",
    "home": "a workstation's user-level assistant settings (--home)",
    "inventory": "an identity inventory (--inventory)",
    "github": "GitHub governance settings (--github-org, --github-repo or --github-export)",
    "audit-log": "a GitHub audit log export (--audit-log)",
    "git-history": "git history of the scanned repositories",
}


class ProbeDefinitionError(Exception):
    """A probe definition file is missing or malformed."""


@dataclass(frozen=True)
class ProbeDefinition:
    """The data half of a probe, loaded from its ``.yml`` file."""

    id: str
    """Probe id, a yes/no statement in lowerCamelCase."""
    short: str
    """One-sentence statement of what true means."""
    motivation: str
    """Why it matters, in a few sentences."""
    implementation: str
    """How the evidence is read."""
    outcomes: Mapping[str, str]
    """What each outcome means (keys: true, false, and optionally not-available)."""
    severity: Severity
    """Severity of a false outcome."""
    remediation: str
    """What to do when false; ``{placeholders}`` are filled from the result's values."""
    kinds: tuple[str, ...]
    """Subject kinds the probe concerns ("*" for any)."""
    min_tier: Tier
    """Lowest capability tier the probe concerns."""
    source: str
    """Evidence source the probe needs (a key of SOURCES)."""
    docs_url: str = ""
    """Documentation of the setting the probe reads."""


@dataclass(frozen=True)
class Result:
    """What a probe returns for one subject (or one item of a subject, such as an MCP server)."""

    subject: str
    """Subject id."""
    outcome: Outcome
    """Whether the statement holds."""
    message: str
    """Full sentence naming the subject and what was seen (no secret values)."""
    location: Location | None = None
    """Primary location."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Structured detail; also fills the remediation placeholders."""
    evidence_ids: tuple[str, ...] = ()
    """Evidence behind the outcome (defaults to the subject's evidence)."""
    key: str = ""
    """Discriminator when a probe returns several results for one subject (server name, rule...)."""


@dataclass(frozen=True)
class ProbeContext:
    """Everything a probe may read. Probes never touch the host."""

    subjects: Sequence[Subject]
    """All subjects of the run."""
    evidence: Mapping[str, Evidence]
    """Evidence by id."""
    now: datetime
    """The injected clock's reading for this run."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Probe options (rotation_days, ...)."""
    sources: frozenset[str] = frozenset()
    """Evidence sources that were given for this run (keys of SOURCES)."""
    _kinds: dict[str, tuple[Subject, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def subjects_of_kind(self, kind: str) -> tuple[Subject, ...]:
        """The subjects of one kind, in the run's order (found once per context: probes ask per subject).

        Kept by the context, so they go when the run's probes are done: a cache beside the probes
        would keep the last run's subjects, and all their facts, for the life of the process.
        """
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = tuple(s for s in self.subjects if s.kind == kind)
        return found


class Probe(ABC):
    """A probe over all subjects of a run (for cross-subject statements such as shadow identities)."""

    #: Module name of the definition file beside the code (``<module>.yml``).
    id: ClassVar[str]

    @property
    def definition(self) -> ProbeDefinition:
        """The probe's definition (loaded once)."""
        return load_definition(type(self).__module__)

    @abstractmethod
    def run(self, ctx: ProbeContext) -> Iterable[Result]:
        """Evaluate the probe over the whole run."""


class SubjectProbe(Probe):
    """A probe evaluated once per subject of the kinds it concerns."""

    def run(self, ctx: ProbeContext) -> Iterable[Result]:  # pragma: no cover - the engine calls check()
        for subject in ctx.subjects:
            yield from self.check(subject, ctx)

    @abstractmethod
    def check(self, subject: Subject, ctx: ProbeContext) -> Iterable[Result]:
        """Evaluate the probe for one subject (already filtered by kind and tier)."""


def _outcome_key(key: Any) -> str:
    """Outcome keys as written: YAML 1.1 reads an unquoted ``true:``/``false:`` key as a boolean."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


@cache
def load_definition(module: str) -> ProbeDefinition:
    """Load ``<module>.yml`` from beside the probe module and check it."""
    package, _, name = module.rpartition(".")
    try:
        text = resources.files(package).joinpath(f"{name}.yml").read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ProbeDefinitionError(f"probe definition {module}.yml could not be read: {exc}") from None
    if not isinstance(raw, dict):
        raise ProbeDefinitionError(f"probe definition {module}.yml is not a mapping")
    try:
        return ProbeDefinition(
            id=str(raw["id"]),
            short=str(raw["short"]).strip(),
            motivation=str(raw["motivation"]).strip(),
            implementation=str(raw["implementation"]).strip(),
            outcomes={_outcome_key(k): str(v).strip() for k, v in raw["outcomes"].items()},
            severity=Severity(raw["severity"]),
            remediation=str(raw["remediation"]).strip(),
            kinds=tuple(raw.get("kinds") or ("*",)),
            min_tier=Tier(raw.get("min_tier", Tier.ADVISORY.value)),
            source=str(raw.get("source", "repository")),
            docs_url=str(raw.get("docs_url", "")),
        )
    except (KeyError, ValueError, AttributeError) as exc:
        raise ProbeDefinitionError(f"probe definition {module}.yml is malformed: {exc}") from None


class _Placeholders(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; unknown ones stay as written."""
    if "{" not in template and "}" not in template:
        return template
    try:
        # str.format_map consults __missing__ like Formatter().vformat, at a fraction of the cost
        # (one call per false finding: tens of thousands in a large organisation).
        return template.format_map(_Placeholders(values))
    except (ValueError, IndexError):
        return template


#: The values of every finding that has none: shared, never modified (findings are read-only records).
NO_VALUES: Mapping[str, Any] = {}


def finding_id(probe: str, subject: str, location: Location | None, key: str) -> str:
    """Stable finding id."""
    path = location.path if location else ""
    return f"f-{short_id(probe, subject, path, key)}"


def _shared(shared: dict[str, Mapping[str, Any]], values: Mapping[str, Any]) -> Mapping[str, Any]:
    """A copy of values, the same object for every equal one in shared."""
    key = repr(values)
    found = shared.get(key)
    if found is None:
        found = shared[key] = dict(values)
    return found


def run_probes(probes: Sequence[Probe], ctx: ProbeContext) -> list[Finding]:
    """Run every probe and return the findings, sorted by id.

    A probe that raises is a defect, not a user error: its subjects get an ``error`` finding naming
    the exception type, and the run goes on.
    """
    # Hundreds of thousands of findings are allocated here in a large organisation; the cyclic
    # collector would walk the growing heap again and again (see nhi_evidence.gcpause).
    with paused_gc():
        findings = _run_probes(probes, ctx)
        return [findings[k] for k in sorted(findings)]


def _run_probes(probes: Sequence[Probe], ctx: ProbeContext) -> dict[str, Finding]:
    """Findings by id of every probe over the run."""
    findings: dict[str, Finding] = {}
    by_id = {s.id: s for s in ctx.subjects}
    # Tier.rank scans the enum on every call; ranks are looked up here once per run instead.
    rank = {tier: index for index, tier in enumerate(Tier)}
    # Each probe concerns a few kinds: visiting only their subjects avoids probes x subjects checks.
    by_kind: dict[str, list[Subject]] = {}
    for subject in ctx.subjects:
        by_kind.setdefault(subject.kind, []).append(subject)
    sorted_evidence: dict[str, tuple[str, ...]] = {}
    # Findings are most of the assessment's memory (300,000 at 10,000 repositories), and a pack's
    # forked writer copies every page of them it reads: equal locations share one object (172,000
    # distinct among 307,000 at that scale), findings without values share one empty mapping, and
    # equal values share one mapping (10,000 distinct among 129,000 at that scale, 45 MB saved):
    # keyed by their repr, which for JSON-like data is equal only when types, order and content are.
    locations: dict[Location, Location] = {}
    shared_values: dict[str, Mapping[str, Any]] = {}
    for probe in probes:
        definition = probe.definition
        results: list[Result] = []
        if isinstance(probe, SubjectProbe):
            min_rank = rank[definition.min_tier]
            if "*" in definition.kinds:
                candidates: Sequence[Subject] = ctx.subjects
            else:
                candidates = [s for kind in dict.fromkeys(definition.kinds) for s in by_kind.get(kind, ())]
            for subject in candidates:
                if rank[subject.capability.tier] < min_rank:
                    results.append(
                        Result(
                            subject.id,
                            Outcome.NOT_APPLICABLE,
                            f"{subject.name} is {subject.capability.tier.value}; "
                            f"{definition.id} concerns {definition.min_tier.value} and above.",
                            Location(subject.path),
                        )
                    )
                    continue
                try:
                    results.extend(probe.check(subject, ctx))
                except Exception as exc:  # noqa: BLE001 - recorded as an error finding
                    results.append(
                        Result(
                            subject.id,
                            Outcome.ERROR,
                            f"Probe {definition.id} failed on {subject.name} ({type(exc).__name__}).",
                            Location(subject.path),
                        )
                    )
        else:
            try:
                results.extend(probe.run(ctx))
            except Exception as exc:  # noqa: BLE001
                results.append(Result("", Outcome.ERROR, f"Probe {definition.id} failed ({type(exc).__name__})."))
        for result in results:
            owner = by_id.get(result.subject)
            if result.evidence_ids:
                evidence_ids = tuple(sorted(result.evidence_ids))
            elif owner is not None:
                evidence_ids = sorted_evidence.get(owner.id) or sorted_evidence.setdefault(
                    owner.id, tuple(sorted(owner.evidence_ids))
                )
            else:
                evidence_ids = ()
            fid = finding_id(definition.id, result.subject, result.location, result.key)
            remediation = ""
            if result.outcome is Outcome.FALSE:
                # Placeholders of the remediation text: the result's values, its path and subject name.
                values = dict(result.values)
                if result.location is not None:
                    values.setdefault("path", result.location.path)
                if owner is not None:
                    values.setdefault("subject", owner.name)
                remediation = fill(definition.remediation, values)
            findings[fid] = Finding(
                id=fid,
                probe=definition.id,
                outcome=result.outcome,
                severity=definition.severity,
                message=result.message,
                subject=result.subject,
                location=None if result.location is None else locations.setdefault(result.location, result.location),
                evidence_ids=evidence_ids,
                remediation=remediation,
                values=_shared(shared_values, result.values) if result.values else NO_VALUES,
            )
    return findings
