"""Risk acceptance: accepted findings stay reported, marked, and stop counting against controls.

An organisation that accepts a risk records it in the project configuration (``[[accepted_risks]]``:
probe, subject or repository+kind, optionally a location path, justification, approver, expiry). This
module matches those entries against the false findings of an assessment and:

- adds ``values["acceptance"]`` to each matched finding (the documented place every renderer reads)::

      {"status": "accepted" | "expired", "justification": "...", "approved_by": "...",
       "expires": "YYYY-MM-DD", "scope": "finding" | "probe", "origin": "file:line",
       "note": "..."}          # note only when expired

- re-evaluates the controls with the accepted finding ids (``evaluate_controls(accepted=...)``), so an
  accepted false finding no longer makes its controls not-satisfied; an expired acceptance does not
  count, and its finding carries a note saying so;
- records in ``Assessment.metadata``:

  - ``"risk_acceptance"``: ``{"accepted": n, "expired": n, "unmatched": [{probe, origin, ...}]}``
    (an entry matching no false finding is listed so stale acceptances get cleaned up);
  - ``"suppressed_probes"``: one entry per ``[[suppressed_probes]]`` line
    (``{probe, justification, approved_by, expires, status, findings}``), for the report's
    limitations section: suppressing a whole probe is allowed but always shown prominently.

Acceptance only concerns false findings: a true or not-available outcome needs no acceptance.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from nhi_evidence.config import AcceptedRisk
from nhi_evidence.frameworks.mapping import evaluate_controls
from nhi_evidence.model import Assessment, Finding, Outcome, Subject
from nhi_evidence.pipeline import ScanRequest, load_model, sources_given
from nhi_evidence.probes import probe_definitions
from nhi_evidence.summary import is_accepted

__all__ = [
    "ACCEPTANCE_KEY",
    "METADATA_KEY",
    "SUPPRESSED_KEY",
    "acceptance_record",
    "apply_acceptance",
    "is_accepted",
    "matches",
]

#: Key of ``Finding.values`` holding the acceptance record.
ACCEPTANCE_KEY = "acceptance"
#: Key of ``Assessment.metadata`` summarising acceptance.
METADATA_KEY = "risk_acceptance"
#: Key of ``Assessment.metadata`` listing suppressed probes (shown in the report's limitations).
SUPPRESSED_KEY = "suppressed_probes"


def _in_repository(repository: str, finding: Finding, subject: Subject | None) -> bool:
    """Whether a finding belongs to a repository folder (as shown in outputs)."""
    own = subject.repository.strip("/") if subject else ""
    if own == repository:
        return True
    if own or not repository:
        return False
    # A subject that does not record its repository is placed by its path (relative to the scanned root).
    where = subject.path if subject else (finding.location.path if finding.location else "")
    return where.startswith(repository + "/")


def matches(risk: AcceptedRisk, finding: Finding, subject: Subject | None) -> bool:
    """Whether an accepted-risk entry covers a finding."""
    if risk.probe != finding.probe:
        return False
    if risk.whole_probe:
        return True
    if risk.subject and risk.subject != finding.subject:
        return False
    if risk.repository is not None and not _in_repository(risk.repository, finding, subject):
        return False
    if risk.kind and (subject is None or subject.kind != risk.kind):
        return False
    if risk.path:
        where = finding.location.path if finding.location else (subject.path if subject else "")
        if where != risk.path and not fnmatch.fnmatchcase(where, risk.path):
            return False
    return True


def acceptance_record(risk: AcceptedRisk, today: date) -> dict[str, Any]:
    """The ``values["acceptance"]`` record for a finding covered by this entry."""
    active = risk.active(today)
    record: dict[str, Any] = {
        "status": "accepted" if active else "expired",
        "justification": risk.justification,
        "approved_by": risk.approved_by,
        "expires": risk.expires.isoformat(),
        "scope": "probe" if risk.whole_probe else "finding",
        "origin": risk.origin,
    }
    if not active:
        record["note"] = (
            f"The risk acceptance approved by {risk.approved_by} expired on {risk.expires.isoformat()}; "
            "the finding counts again."
        )
    return record


def apply_acceptance(
    assessment: Assessment,
    request: ScanRequest,
    risks: Sequence[AcceptedRisk],
    suppressions: Sequence[AcceptedRisk] = (),
) -> Assessment:
    """Mark accepted findings, re-evaluate controls without them, and record the acceptance summary.

    The day compared with each expiry is the assessment's own (injected) clock reading, so a fixed
    ``--now`` gives a reproducible answer.
    """
    if not risks and not suppressions:
        return assessment
    today = assessment.created_at.date()
    subjects = assessment.subjects_by_id()
    entries = [*suppressions, *risks]
    used: dict[int, int] = dict.fromkeys(range(len(entries)), 0)
    accepted_ids: set[str] = set()
    expired = 0
    findings: list[Finding] = []
    for finding in assessment.findings:
        if finding.outcome is not Outcome.FALSE:
            findings.append(finding)
            continue
        chosen: AcceptedRisk | None = None
        # Entries are tried in order; an active one wins over an expired one for the same finding,
        # so renewing an acceptance by adding a new entry works without deleting the old one.
        for index, risk in enumerate(entries):
            if matches(risk, finding, subjects.get(finding.subject)):
                used[index] += 1
                if chosen is None or (not chosen.active(today) and risk.active(today)):
                    chosen = risk
        if chosen is None:
            findings.append(finding)
            continue
        record = acceptance_record(chosen, today)
        if record["status"] == "accepted":
            accepted_ids.add(finding.id)
        else:
            expired += 1
        findings.append(replace(finding, values={**finding.values, ACCEPTANCE_KEY: record}))
    frameworks = list(assessment.frameworks)
    _, mapping = load_model(request)
    results = evaluate_controls(
        frameworks, mapping, findings, probe_definitions(), sources_given(request), frozenset(accepted_ids)
    )
    unmatched = [
        {
            "probe": risk.probe,
            "subject": risk.subject,
            "repository": risk.repository,
            "kind": risk.kind,
            "path": risk.path,
            "origin": risk.origin,
        }
        for index, risk in enumerate(entries)
        if not used[index] and not risk.whole_probe
    ]
    suppressed = [
        {
            "probe": risk.probe,
            "justification": risk.justification,
            "approved_by": risk.approved_by,
            "expires": risk.expires.isoformat(),
            "status": "accepted" if risk.active(today) else "expired",
            "findings": used[index],
            "origin": risk.origin,
        }
        for index, risk in enumerate(entries)
        if risk.whole_probe
    ]
    metadata: dict[str, Any] = {
        **assessment.metadata,
        METADATA_KEY: {"accepted": len(accepted_ids), "expired": expired, "unmatched": unmatched},
    }
    if suppressed:
        metadata[SUPPRESSED_KEY] = suppressed
    return replace(assessment, findings=tuple(findings), control_results=tuple(results), metadata=metadata)
