"""The report's data: previous-pack diff input, defensive reading of facts, limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from nhi_test_support import CANARIES

from nhi_evidence.renderers import RenderOptions
from nhi_evidence.report import Limits, build_context, coerce_diff, render_html
from nhi_evidence.report.context import clean, credentials_line, permissions_line
from tests.report.builder import build_assessment


def test_diff_from_a_plain_mapping() -> None:
    diff = coerce_diff(
        {
            "previous": "2026-Q3",
            "improved": [
                {"framework": "nist-csf-2.0", "control_id": "PR.AA-05", "before": "not-satisfied", "after": "satisfied"}
            ],
            "regressed": [
                {
                    "framework": "owasp-nhi-top10-2025",
                    "control": "NHI2",
                    "before": "satisfied",
                    "after": "not-satisfied",
                }
            ],
            "new_findings": [{"probe": "p", "message": "m"}, "plain line"],
            "resolved_findings": 7,
            "coverage": {"nist-csf-2.0": [0.1, 0.25], "bad": "x"},
            "unknown": 1,
        }
    )
    assert diff is not None
    assert diff.previous == "2026-Q3"
    assert [c.control for c in diff.improved] == ["PR.AA-05"]
    assert [c.control for c in diff.regressed] == ["NHI2"]
    assert (diff.new_findings, diff.new_examples) == (2, ("p: m", "plain line"))
    assert diff.resolved_findings == 7
    assert [(c.framework, c.before, c.after) for c in diff.coverage] == [("nist-csf-2.0", 0.1, 0.25)]


@pytest.mark.parametrize("value", [None, "text", 3, [], {"improved": "not a list", "new_findings": True}])
def test_unusable_diff_input_does_not_break_the_report(value: Any) -> None:
    diff = coerce_diff(value)
    assert diff is None or (diff.improved == () and diff.new_findings == 0)


def test_diff_is_shown_only_when_given() -> None:
    assessment = build_assessment(3)
    assert build_context(assessment, RenderOptions())["diff"] is None
    ctx = build_context(assessment, RenderOptions(extra={"diff": {"previous": "2026-Q3", "resolved_findings": 1}}))
    assert ctx["diff"].previous == "2026-Q3"


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, ""),
        (
            {"permissions": {"allow": ["Bash(*)"], "deny": [], "path": "x/.claude/settings.json", "line": 3}},
            "allow: Bash(*)",
        ),
        (
            {"permissions": {"scopes": {"contents": "write", "issues": "none", "models": "read"}}},
            "token write: contents; read: models",
        ),
        ({"permissions": {"scopes": {"contents": "none"}}}, "token: no scopes"),
        (
            {"approval": {"mode": "never"}, "sandbox": {"enabled": False}, "shell": {"unrestricted": True}},
            "approval: never; no sandbox; unrestricted shell",
        ),
        ({"permissions": "not a mapping"}, "not a mapping"),
        ({"copilot_setup_steps": {"permissions": {"scopes": {"contents": "write"}}}}, "token write: contents"),
    ],
)
def test_permissions_in_one_line(facts: dict[str, Any], expected: str) -> None:
    assert permissions_line(facts) == expected


def test_credentials_are_fingerprints_or_references() -> None:
    facts = {
        "secrets": [
            {"detector": "github-token", "fingerprint": "ghp_...9c63b109", "key": "GITHUB_TOKEN"},
            {"name": "ANTHROPIC_API_KEY", "where": "step-env"},
            CANARIES["github-token"],
        ]
    }
    lines = credentials_line(facts)
    assert lines[:2] == ["GITHUB_TOKEN ghp_...9c63b109", "ANTHROPIC_API_KEY (reference)"]
    assert CANARIES["github-token"] not in lines[2]
    assert "[redacted github-token" in lines[2]


def test_clean_escapes_controls_and_shortens() -> None:
    assert clean("a\x1b[31mb") == "a\\x1b[31mb"
    assert clean("x" * 500, 10) == "x" * 9 + "…"


def test_limits_cap_lists_but_not_counts() -> None:
    assessment = build_assessment(30)
    ctx = build_context(assessment, RenderOptions(), limits=Limits(identities=5, instances_per_probe=2, evidence=10))
    assert ctx["inventory"]["shown"] == 5
    assert ctx["inventory"]["more"] == 25
    assert sum(len(t) for t in ctx["inventory"]["tables"]) == 5
    assert ctx["counts"]["subjects"] == 30
    for group in ctx["findings"]:
        for probe in group["probes"]:
            assert len(probe["instances"]) == min(2, probe["count"])
            assert probe["more"] == probe["count"] - len(probe["instances"])
    assert sum(g["count"] for g in ctx["findings"]) == ctx["counts"]["failed"]
    assert ctx["evidence"]["summary"] is True
    assert sum(n for _, n in ctx["evidence"]["by_collector"]) == len(assessment.evidence)


def test_diff_in_the_shape_the_pack_passes() -> None:
    # nhi_evidence.diff.render.to_dict: dataclasses.asdict of DiffReport plus a summary block.
    ref = {"probe": "p", "subject": "s", "path": "a.json", "subject_name": "n", "severity": "high", "message": "m"}
    data = {
        "previous": "2026-Q3",
        "current": "2026-Q4",
        "improved": [
            {
                "framework": "nist-csf-2.0",
                "control_id": "GV.SC-07",
                "title": "",
                "before": "not-assessed",
                "after": "satisfied",
                "direction": "improved",
            }
        ],
        "regressed": [],
        "changed": [],
        "coverage": [
            {
                "framework": "nist-csf-2.0",
                "title": "",
                "before": None,
                "after": 0.15,
                "counts_before": None,
                "counts_after": None,
            }
        ],
        "new_findings": [ref, ref],
        "resolved_findings": [],
        "unchanged_findings": [ref],
        "identities_added": [{"id": "x"}],
        "identities_removed": [],
        "identities_changed": [],
        "permission_changes": [{"direction": "gained"}, {"direction": "lost"}],
        "unavailable": [],
        "summary": {"controls_improved": 1},
    }
    diff = coerce_diff(data)
    assert diff is not None
    assert [c.control for c in diff.improved] == ["GV.SC-07"]
    assert diff.coverage[0].before is None
    assert diff.coverage[0].delta is None
    assert (diff.new_findings, diff.resolved_findings) == (2, 0)
    assert (diff.identities_added, diff.permissions_gained) == (1, 1)
    page = render_html(build_assessment(3), RenderOptions(extra={"diff": data}))
    assert "Changes since the previous pack" in page
    assert "1 identity added" in page


def test_an_empty_assessment_renders_with_every_section() -> None:
    # No organisation on the command line nor in the run metadata.
    page = render_html(replace(build_assessment(0), metadata={}), RenderOptions())
    assert "No assistant identity was found in the scanned scope." in page
    assert "No probe failed for any identity in the scanned scope." in page
    assert "No evidence file was collected." in page
    assert page.count('<tr data-control="') == 126
    assert "Organisation not named" in page
