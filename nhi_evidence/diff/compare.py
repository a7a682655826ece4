"""The difference between two snapshots: what an auditor or a release gate needs to know.

Per framework: controls whose status improved or regressed (with the findings behind each change)
and coverage before and after. Across the assessment: failed findings new, resolved and unchanged by
their stable key (probe, subject, location path: ``Finding.key``), identities added or removed (or
whose capability tier changed), and permission changes read from subject facts (a workflow that
gained ``contents: write``, an assistant allowed a new shell rule).

Status order for improvement and regression: not-satisfied < not-assessed < satisfied; a move to or
from not-applicable, or a control present on one side only, is reported as "changed".

``DiffReport`` is also what the pack passes to the report (``RenderOptions.extra["diff"]`` as
``dataclasses.asdict`` plus a ``summary`` block: ``render.to_dict``); its top-level keys ``previous``, ``improved``, ``regressed``,
``new_findings``, ``resolved_findings`` and ``coverage`` follow ``nhi_evidence.report.diff``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nhi_evidence.diff.inputs import OSCAL_FRAMEWORK, ControlState, Snapshot, status_rank
from nhi_evidence.diff.oscal_input import control_key
from nhi_evidence.model import ControlStatus, Finding, Outcome, Severity, Subject

#: Permission levels in increasing power (GitHub token scopes and assistant approval words).
LEVELS = {"none": 0, "read": 1, "listed": 2, "write": 3, "admin": 4, "read-all": 5, "write-all": 6}


@dataclass(frozen=True)
class FindingRef:
    """A failed finding named by its stable key."""

    probe: str
    """Probe id."""
    subject: str
    """Subject id."""
    path: str
    """Location path ("" when the finding has no location)."""
    subject_name: str
    """Subject name, for display."""
    severity: str
    """Severity of the probe."""
    message: str
    """The finding's sentence."""
    outcome_before: str = ""
    """Outcome on the old side ("" when absent)."""
    outcome_after: str = ""
    """Outcome on the new side ("" when absent)."""


@dataclass(frozen=True)
class ControlChange:
    """A control whose status differs between the two sides."""

    framework: str
    """Framework id."""
    control_id: str
    """Control id."""
    title: str
    """Control title, when known."""
    before: str
    """Status on the old side ("absent" when the control was not reported)."""
    after: str
    """Status on the new side ("absent" when the control is not reported)."""
    direction: str
    """improved, regressed or changed."""
    reason: str
    """The new side's reason for its status (the old side's when the control is gone)."""
    findings: tuple[FindingRef, ...] = ()
    """The failed findings behind the change: new side's for a regression, old side's for an improvement."""


@dataclass(frozen=True)
class Counts:
    """Control status counts of one framework on one side."""

    satisfied: int
    not_satisfied: int
    not_assessed: int
    not_applicable: int

    @property
    def coverage(self) -> float:
        """Share of applicable controls that were assessed (0..1)."""
        applicable = self.satisfied + self.not_satisfied + self.not_assessed
        return (self.satisfied + self.not_satisfied) / applicable if applicable else 0.0


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one framework before and after."""

    framework: str
    """Framework id."""
    title: str
    """Framework title."""
    before: float | None
    """Coverage (0..1) on the old side; None when the framework was not assessed there."""
    after: float | None
    """Coverage (0..1) on the new side; None when not assessed there."""
    counts_before: Counts | None
    """Status counts on the old side."""
    counts_after: Counts | None
    """Status counts on the new side."""


@dataclass(frozen=True)
class IdentityRef:
    """An identity (subject) present on one side only, or whose tier changed."""

    id: str
    """Subject id."""
    name: str
    """Subject name."""
    kind: str
    """Subject kind."""
    tier: str
    """Capability tier (on the side where it is present; the new side for a change)."""
    tier_before: str = ""
    """Tier on the old side, for a tier change."""


@dataclass(frozen=True)
class PermissionChange:
    """One permission of one identity that differs between the two sides."""

    subject: str
    """Subject id."""
    subject_name: str
    """Subject name."""
    permission: str
    """Dotted path of the permission in the subject's facts (``permissions.contents``, ``permissions.allow[]=Bash(*)``)."""
    before: str
    """Value on the old side ("" when absent)."""
    after: str
    """Value on the new side ("" when absent)."""
    direction: str
    """gained, lost or changed."""


@dataclass(frozen=True)
class DiffReport:
    """Everything ``diff`` reports; the pack passes it to the report as a dict (``render.to_dict``)."""

    previous: str
    """Label of the old side (its period or file name)."""
    current: str
    """Label of the new side."""
    old_kind: str
    """Kind of the old input (nhi-evidence or oscal)."""
    new_kind: str
    """Kind of the new input."""
    improved: tuple[ControlChange, ...]
    """Controls whose status improved, every framework."""
    regressed: tuple[ControlChange, ...]
    """Controls whose status regressed, every framework."""
    changed: tuple[ControlChange, ...]
    """Other status changes (to or from not-applicable, controls added or removed)."""
    coverage: tuple[CoverageRow, ...]
    """Coverage per framework before and after."""
    new_findings: tuple[FindingRef, ...]
    """Failed findings on the new side whose key was not failed on the old side."""
    resolved_findings: tuple[FindingRef, ...]
    """Failed findings on the old side whose key is not failed on the new side."""
    unchanged_findings: tuple[FindingRef, ...]
    """Failed findings on both sides."""
    identities_added: tuple[IdentityRef, ...]
    """Subjects on the new side only."""
    identities_removed: tuple[IdentityRef, ...]
    """Subjects on the old side only."""
    identities_changed: tuple[IdentityRef, ...]
    """Subjects whose capability tier changed."""
    permission_changes: tuple[PermissionChange, ...]
    """Permissions gained, lost or changed."""
    unavailable: tuple[str, ...]
    """Full sentences naming the comparisons that could not be made for these inputs."""

    @property
    def frameworks(self) -> list[str]:
        """Framework ids in report order."""
        return [row.framework for row in self.coverage]


def _failed(findings: Mapping[str, Finding]) -> dict[tuple[str, str, str], Finding]:
    out: dict[tuple[str, str, str], Finding] = {}
    for finding in sorted(findings.values(), key=lambda f: f.id):
        if finding.outcome is not Outcome.FALSE:
            continue
        kept = out.get(finding.key)
        if kept is None or finding.severity.rank > kept.severity.rank:
            out[finding.key] = finding
    return out


def _outcomes(findings: Mapping[str, Finding]) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for finding in findings.values():
        if out.get(finding.key) != Outcome.FALSE.value:
            out[finding.key] = finding.outcome.value
    return out


def _ref(finding: Finding, subjects: Mapping[str, Subject], before: str = "", after: str = "") -> FindingRef:
    subject = subjects.get(finding.subject)
    return FindingRef(
        probe=finding.probe,
        subject=finding.subject,
        path=finding.key[2],
        subject_name=subject.name if subject else finding.subject,
        severity=finding.severity.value,
        message=finding.message,
        outcome_before=before,
        outcome_after=after,
    )


def _sort_refs(refs: Iterable[FindingRef]) -> tuple[FindingRef, ...]:
    return tuple(sorted(refs, key=lambda r: (-Severity(r.severity).rank, r.probe, r.subject_name, r.path, r.subject)))


def _sort_identities(refs: Iterable[IdentityRef]) -> tuple[IdentityRef, ...]:
    return tuple(sorted(refs, key=lambda r: (r.name, r.id)))


def _align(
    old: Snapshot, new: Snapshot
) -> tuple[dict[tuple[str, str], ControlState], dict[tuple[str, str], ControlState], dict[str, str], list[str]]:
    """Controls of both sides keyed comparably; for OSCAL inputs ids are compared case-insensitively."""
    notes: list[str] = []
    if old.detailed and new.detailed:
        return old.controls, new.controls, {**old.frameworks, **new.frameworks}, notes
    shared = set(old.frameworks) & set(new.frameworks)

    shown: dict[str, str] = {}

    def rekey(controls: Mapping[tuple[str, str], ControlState]) -> dict[tuple[str, str], ControlState]:
        out: dict[tuple[str, str], ControlState] = {}
        for (framework, control), state in controls.items():
            # Ids are compared case-insensitively but shown as written (the new side's spelling wins).
            shown[control_key(control)] = control
            key = (framework if framework in shared else OSCAL_FRAMEWORK, control_key(control))
            kept = out.get(key)
            if kept is None or state.status == ControlStatus.NOT_SATISFIED.value:
                out[key] = state
        return out

    def respell(controls: Mapping[tuple[str, str], ControlState]) -> dict[tuple[str, str], ControlState]:
        return {(fw, shown.get(cid, cid)): state for (fw, cid), state in controls.items()}

    if not shared:
        notes.append(
            "The inputs do not name common frameworks: controls are compared by control id alone, across frameworks."
        )
    titles = {fw: title for fw, title in {**old.frameworks, **new.frameworks}.items() if fw in shared}
    titles.setdefault(OSCAL_FRAMEWORK, "OSCAL controls")
    old_keyed, new_keyed = rekey(old.controls), rekey(new.controls)
    return respell(old_keyed), respell(new_keyed), titles, notes


def _counts(controls: Mapping[tuple[str, str], ControlState], framework: str) -> Counts | None:
    counter = Counter(state.status for (fw, _), state in controls.items() if fw == framework)
    if not counter:
        return None
    return Counts(
        counter[ControlStatus.SATISFIED.value],
        counter[ControlStatus.NOT_SATISFIED.value],
        counter[ControlStatus.NOT_ASSESSED.value],
        counter[ControlStatus.NOT_APPLICABLE.value],
    )


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            if key in ("path", "line", "pointer"):
                continue  # where a permission was read, not the permission itself
            _flatten(child, f"{prefix}.{key}", out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (Mapping, list)):
                continue
            out[f"{prefix}[]={item}"] = "listed"
    elif value is not None:
        out[prefix] = str(value).lower() if isinstance(value, bool) else str(value)


def permissions_of(facts: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Every permission-like fact of a subject, flattened: keys whose name contains "permission"."""
    out: dict[str, str] = {}
    for key, value in facts.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if "permission" in str(key).lower():
            _flatten(value, path, out)
        elif isinstance(value, Mapping):
            out.update(permissions_of(value, path))
    return out


def _direction(before: str, after: str) -> str:
    if not before:
        return "gained"
    if not after:
        return "lost"
    b, a = LEVELS.get(before.lower()), LEVELS.get(after.lower())
    if b is not None and a is not None and a != b:
        return "gained" if a > b else "lost"
    return "changed"


def _permission_changes(old: Snapshot, new: Snapshot) -> list[PermissionChange]:
    changes: list[PermissionChange] = []
    for subject_id in sorted(set(old.subjects) | set(new.subjects)):
        before_subject, after_subject = old.subjects.get(subject_id), new.subjects.get(subject_id)
        before = permissions_of(before_subject.facts) if before_subject else {}
        after = permissions_of(after_subject.facts) if after_subject else {}
        either = after_subject or before_subject
        name = either.name if either else subject_id
        for permission in sorted(set(before) | set(after)):
            b, a = before.get(permission, ""), after.get(permission, "")
            if b != a:
                changes.append(PermissionChange(subject_id, name, permission, b, a, _direction(b, a)))
    return changes


def _identity(subject: Subject, tier_before: str = "") -> IdentityRef:
    return IdentityRef(subject.id, subject.name, subject.kind, subject.capability.tier.value, tier_before)


def compare(old: Snapshot, new: Snapshot) -> DiffReport:
    """The difference between old and new."""
    old_controls, new_controls, titles, unavailable = _align(old, new)
    detailed = old.detailed and new.detailed
    # Finding, identity and permission comparisons need both sides to carry them.
    old_findings, new_findings = (old.findings, new.findings) if detailed else ({}, {})
    old_subjects, new_subjects = (old.subjects, new.subjects) if detailed else ({}, {})
    old_failed, new_failed = _failed(old_findings), _failed(new_findings)
    old_outcomes, new_outcomes = _outcomes(old_findings), _outcomes(new_findings)

    def refs(ids: Iterable[str], side: Snapshot) -> tuple[FindingRef, ...]:
        found = [side.findings[i] for i in ids if i in side.findings and side.findings[i].outcome is Outcome.FALSE]
        return _sort_refs(
            _ref(f, side.subjects, old_outcomes.get(f.key, ""), new_outcomes.get(f.key, "")) for f in found
        )

    improved: list[ControlChange] = []
    regressed: list[ControlChange] = []
    changed: list[ControlChange] = []
    order = {fw: i for i, fw in enumerate(titles)}
    keys = sorted(set(old_controls) | set(new_controls), key=lambda k: (order.get(k[0], len(order)), k[0]))
    # Keep catalog order inside a framework: the order controls appear in the new side, then the old.
    position = {k: i for i, k in enumerate([*new_controls, *[k for k in old_controls if k not in new_controls]])}
    keys.sort(key=lambda k: (order.get(k[0], len(order)), k[0], position[k]))
    for key in keys:
        before, after = old_controls.get(key), new_controls.get(key)
        b_status = before.status if before else "absent"
        a_status = after.status if after else "absent"
        if b_status == a_status:
            continue
        b_rank, a_rank = status_rank(b_status), status_rank(a_status)
        state = after or before
        assert state is not None
        title = (after.title if after and after.title else "") or (before.title if before else "")
        if b_rank is not None and a_rank is not None:
            direction = "improved" if a_rank > b_rank else "regressed"
        else:
            direction = "changed"
        behind = (
            refs(after.findings, new)
            if direction == "regressed" and after
            else refs(before.findings, old)
            if before
            else ()
        )
        change = ControlChange(key[0], key[1], title, b_status, a_status, direction, state.reason, behind)
        {"improved": improved, "regressed": regressed, "changed": changed}[direction].append(change)

    coverage = []
    for framework in dict.fromkeys([*titles, *(k[0] for k in keys)]):
        cb, ca = _counts(old_controls, framework), _counts(new_controls, framework)
        if cb is None and ca is None:
            continue
        coverage.append(
            CoverageRow(
                framework,
                titles.get(framework, framework),
                round(cb.coverage, 4) if cb else None,
                round(ca.coverage, 4) if ca else None,
                cb,
                ca,
            )
        )

    if not detailed:
        foreign = " and ".join(s.label for s in (old, new) if not s.detailed)
        unavailable.extend(
            [
                f"Findings new, resolved and unchanged: unavailable (OSCAL input {foreign}: control statuses only, no probe findings).",
                f"Identities added or removed: unavailable (OSCAL input {foreign}: no identities listed).",
                f"Permission changes: unavailable (OSCAL input {foreign}: no subject facts).",
                f"Findings behind each control change: unavailable (OSCAL input {foreign}).",
                "Coverage: an OSCAL input lists the controls it assessed; controls it left out are not counted as not-assessed.",
            ]
        )

    new_refs = [
        _ref(f, new.subjects, old_outcomes.get(k, ""), f.outcome.value)
        for k, f in new_failed.items()
        if k not in old_failed
    ]
    resolved_refs = [
        _ref(f, old.subjects, f.outcome.value, new_outcomes.get(k, ""))
        for k, f in old_failed.items()
        if k not in new_failed
    ]
    unchanged_refs = [_ref(f, new.subjects, "false", "false") for k, f in new_failed.items() if k in old_failed]
    added = [_identity(s) for i, s in sorted(new_subjects.items()) if i not in old_subjects]
    removed = [_identity(s) for i, s in sorted(old_subjects.items()) if i not in new_subjects]
    tier_changes = [
        _identity(s, old_subjects[i].capability.tier.value)
        for i, s in sorted(new_subjects.items())
        if i in old_subjects and old_subjects[i].capability.tier != s.capability.tier
    ]
    return DiffReport(
        previous=old.label,
        current=new.label,
        old_kind=old.kind,
        new_kind=new.kind,
        improved=tuple(improved),
        regressed=tuple(regressed),
        changed=tuple(changed),
        coverage=tuple(coverage),
        new_findings=_sort_refs(new_refs),
        resolved_findings=_sort_refs(resolved_refs),
        unchanged_findings=_sort_refs(unchanged_refs),
        identities_added=_sort_identities(added),
        identities_removed=_sort_identities(removed),
        identities_changed=_sort_identities(tier_changes),
        permission_changes=tuple(_permission_changes(old, new)) if detailed else (),
        unavailable=tuple(unavailable),
    )


def gate(report: DiffReport, severity: Severity = Severity.INFO) -> list[str]:
    """Reasons a ``--fail-on regression`` gate fails: regressed controls and new findings at or above severity."""
    reasons = [f"{c.framework} {c.control_id} regressed from {c.before} to {c.after}." for c in report.regressed]
    reasons.extend(
        f"New {r.severity} finding: {r.probe} on {r.subject_name} ({r.path or 'no path'})."
        for r in report.new_findings
        if Severity(r.severity).rank >= severity.rank
    )
    return reasons


def with_labels(report: DiffReport, previous: str, current: str) -> DiffReport:
    """A copy with other side labels (for ``diff --git`` where the sides are git refs)."""
    return replace(report, previous=previous, current=current)
