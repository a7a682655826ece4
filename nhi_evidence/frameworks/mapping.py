"""Control mappings (probe -> controls, with a rationale per link) and control evaluation.

Mapping files (``mappings/links/*.yaml``, or ``links/*.yaml`` in a ``--mappings`` folder)::

    links:
      - probe: bypassPermissionsDisabled
        controls:
          - {framework: owasp-nhi-top10-2025, id: NHI5, rationale: One line saying why.}
          - {framework: nist-csf-2.0, id: PR.AA-05, rationale: ...}
    unmapped:                       # optional: probes deliberately linked to no control
      - {probe: someProbe, reason: ...}

Evaluation of one control from the findings of the probes linked to it:
- ``not-satisfied`` when any linked probe is false for any subject (accepted risks excepted);
- ``satisfied`` when linked probes ran and every outcome was true (not-applicable ones aside);
- ``not-applicable`` when linked probes ran but no subject's tier can be concerned;
- ``not-assessed`` when no evidence reached it: no probe is linked, or the sources the linked
  probes need were not given, or no subject they concern was found; the reason says which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nhi_evidence.frameworks.catalog import CatalogError, _yaml_file
from nhi_evidence.model import ControlResult, ControlStatus, Finding, Framework, Outcome
from nhi_evidence.probes.interface import SOURCES, ProbeDefinition
from nhi_evidence.resources import mappings_dir


class MappingError(CatalogError):
    """A mapping file is malformed or names an unknown probe, framework or control."""


@dataclass(frozen=True)
class Link:
    """One probe -> control link."""

    probe: str
    """Probe id."""
    framework: str
    """Framework id."""
    control_id: str
    """Control id in that framework."""
    rationale: str
    """One line saying why the probe evidences the control."""
    file: str = ""
    """Mapping file the link came from (for messages)."""


@dataclass(frozen=True)
class MappingSet:
    """All links and the probes deliberately left unmapped."""

    links: tuple[Link, ...]
    """Every link, in file order."""
    unmapped: Mapping[str, str]
    """Probe id -> reason it maps to no control."""

    def by_control(self) -> dict[tuple[str, str], list[Link]]:
        """Links grouped by (framework, control id)."""
        grouped: dict[tuple[str, str], list[Link]] = defaultdict(list)
        for link in self.links:
            grouped[(link.framework, link.control_id)].append(link)
        return grouped

    def by_probe(self) -> dict[str, list[Link]]:
        """Links grouped by probe id."""
        grouped: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            grouped[link.probe].append(link)
        return grouped


def _line_hint(path: Path, needle: str) -> str:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return f"line {number}: "
    except OSError:
        pass
    return ""


def load_mappings(
    frameworks: Sequence[Framework], probe_ids: Collection[str], extra_dirs: Sequence[Path] = ()
) -> MappingSet:
    """Load and check every mapping file: unknown probes, frameworks and controls are errors naming the file and line."""
    files = sorted((mappings_dir() / "links").glob("*.yaml"))
    for folder in extra_dirs:
        files.extend(sorted((folder / "links").glob("*.yaml")))
    known = {f.id: {c.id for c in f.controls} for f in frameworks}
    links: list[Link] = []
    unmapped: dict[str, str] = {}
    seen: set[tuple[str, str, str]] = set()
    for path in files:
        raw = _yaml_file(path)
        if raw is None:
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("links", []), list):
            raise MappingError(f"{path}: a mapping file is a mapping with a 'links' list")
        for entry in raw.get("links") or ():
            if not isinstance(entry, dict) or "probe" not in entry or not isinstance(entry.get("controls"), list):
                raise MappingError(f"{path}: each link needs 'probe' and a 'controls' list")
            probe = str(entry["probe"])
            if probe not in probe_ids:
                raise MappingError(f"{path}: {_line_hint(path, probe)}unknown probe '{probe}'")
            for control in entry["controls"]:
                if not isinstance(control, dict) or not {"framework", "id", "rationale"} <= control.keys():
                    raise MappingError(
                        f"{path}: {_line_hint(path, probe)}each control of '{probe}' needs framework, id and rationale"
                    )
                framework, control_id = str(control["framework"]), str(control["id"])
                if framework not in known:
                    raise MappingError(f"{path}: {_line_hint(path, framework)}unknown framework '{framework}'")
                if control_id not in known[framework]:
                    raise MappingError(
                        f"{path}: {_line_hint(path, control_id)}control '{control_id}' is not in framework '{framework}'"
                    )
                key = (probe, framework, control_id)
                if key in seen:
                    raise MappingError(
                        f"{path}: {_line_hint(path, control_id)}duplicate link {probe} -> {framework} {control_id}"
                    )
                seen.add(key)
                links.append(Link(probe, framework, control_id, str(control["rationale"]).strip(), str(path)))
        for entry in raw.get("unmapped") or ():
            if not isinstance(entry, dict) or "probe" not in entry:
                raise MappingError(f"{path}: each unmapped entry needs 'probe' and 'reason'")
            if str(entry["probe"]) not in probe_ids:
                raise MappingError(f"{path}: {_line_hint(path, str(entry['probe']))}unknown probe '{entry['probe']}'")
            unmapped[str(entry["probe"])] = str(entry.get("reason", ""))
    return MappingSet(tuple(links), unmapped)


def evaluate_controls(
    frameworks: Sequence[Framework],
    mapping: MappingSet,
    findings: Sequence[Finding],
    definitions: Mapping[str, ProbeDefinition],
    sources_given: Collection[str],
    accepted: Collection[str] = (),
) -> list[ControlResult]:
    """Status of every control of every framework, in framework then catalog order.

    ``accepted`` holds ids of false findings covered by an unexpired risk acceptance: they stay in
    the control's findings but do not make it not-satisfied.
    """
    # Findings are bucketed by probe and outcome once; each control then combines the buckets of its
    # probes instead of filtering every related finding five times (controls x findings work).
    by_probe: dict[str, dict[Outcome, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        by_probe[finding.probe][finding.outcome].append(finding)
    by_control = mapping.by_control()
    results: list[ControlResult] = []
    for framework in frameworks:
        for control in framework.controls:
            links = by_control.get((framework.id, control.id), [])
            probes = tuple(sorted({link.probe for link in links}))
            results.append(
                _evaluate_one(framework.id, control.id, probes, by_probe, definitions, sources_given, accepted)
            )
    return results


def _evaluate_one(
    framework: str,
    control_id: str,
    probes: tuple[str, ...],
    by_probe: Mapping[str, Mapping[Outcome, list[Finding]]],
    definitions: Mapping[str, ProbeDefinition],
    sources_given: Collection[str],
    accepted: Collection[str],
) -> ControlResult:
    if not probes:
        return ControlResult(
            framework,
            control_id,
            ControlStatus.NOT_ASSESSED,
            "No probe of this tool evidences this control; assess it by other means.",
            (),
            probes,
        )
    empty: Mapping[Outcome, list[Finding]] = {}

    def outcome(wanted: Outcome) -> list[Finding]:
        return [f for p in probes for f in by_probe.get(p, empty).get(wanted, ())]

    all_false = outcome(Outcome.FALSE)
    if accepted:
        false = [f for f in all_false if f.id not in accepted]
        accepted_false = [f for f in all_false if f.id in accepted]
    else:
        false, accepted_false = all_false, []
    true = outcome(Outcome.TRUE) if not false else []
    not_applicable = outcome(Outcome.NOT_APPLICABLE)
    errors = outcome(Outcome.ERROR)
    if false:
        subjects = len({f.subject for f in false})
        return ControlResult(
            framework,
            control_id,
            ControlStatus.NOT_SATISFIED,
            f"{len(false)} failed check(s) on {subjects} subject(s) from {', '.join(sorted({f.probe for f in false}))}.",
            tuple(sorted(f.id for f in false)),
            probes,
        )
    if true or accepted_false:
        note = f"; {len(accepted_false)} failure(s) covered by accepted risk" if accepted_false else ""
        return ControlResult(
            framework,
            control_id,
            ControlStatus.SATISFIED,
            f"{len(true)} passed check(s) from {len({f.probe for f in true})} probe(s){note}.",
            tuple(sorted(f.id for f in true + accepted_false)),
            probes,
        )
    if not_applicable:
        return ControlResult(
            framework,
            control_id,
            ControlStatus.NOT_APPLICABLE,
            "No subject's capability tier can be concerned by the linked probes.",
            tuple(sorted(f.id for f in not_applicable)),
            probes,
        )
    if errors:
        return ControlResult(
            framework,
            control_id,
            ControlStatus.NOT_ASSESSED,
            "The linked probes could not evaluate the evidence (see errors).",
            tuple(sorted(f.id for f in errors)),
            probes,
        )
    needed = sorted({definitions[p].source for p in probes if p in definitions})
    missing = [s for s in needed if s not in sources_given]
    if missing:
        reason = "Not assessed: needs " + "; or ".join(SOURCES.get(s, s) for s in missing) + "."
    else:
        kinds = sorted({k for p in probes if p in definitions for k in definitions[p].kinds})
        reason = "Not assessed: no subject the linked probes concern was found" + (
            f" ({', '.join(kinds)})." if kinds and kinds != ["*"] else "."
        )
    return ControlResult(framework, control_id, ControlStatus.NOT_ASSESSED, reason, (), probes)
