"""The example organisation makes every workflow probe come out both true and false somewhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from nhi_test_support import EXAMPLES

from nhi_evidence.clock import fixed_clock
from nhi_evidence.model import Assessment
from nhi_evidence.pipeline import ScanRequest, assess
from nhi_evidence.probes import workflow

PROBES = sorted(probe.definition.id for probe in workflow.PROBES)


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return assess(ScanRequest(roots=(EXAMPLES / "acme",), jobs=1), fixed_clock(datetime(2026, 11, 25, 12, tzinfo=UTC)))


@pytest.mark.parametrize("probe", PROBES)
def test_probe_is_true_and_false_in_the_examples(assessment: Assessment, probe: str) -> None:
    outcomes: dict[str, set[str]] = defaultdict(set)
    for finding in assessment.findings:
        outcomes[finding.probe].add(finding.outcome.value)
    assert {"true", "false"} <= outcomes[probe]


def test_example_workflows_parse_without_errors(assessment: Assessment) -> None:
    assert [e.path for e in assessment.errors if "/.github/workflows/" in e.path] == []
    jobs = [s for s in assessment.subjects if s.kind == "ci-workflow"]
    assert {s.repository for s in jobs} >= {"ci-bot", "release-tools", "triage-bot"}
    assert {s.capability.tier.value for s in jobs} >= {"pipeline-actor", "release-actor"}
