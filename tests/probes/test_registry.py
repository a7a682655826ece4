"""Probe registry and mappings stay consistent: data beside code, every probe mapped, ids that exist."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from nhi_evidence.frameworks.catalog import SHIPPED_FRAMEWORKS, load_frameworks
from nhi_evidence.frameworks.mapping import load_mappings
from nhi_evidence.model import Tier
from nhi_evidence.probes import ALL_PROBES, probe_definitions
from nhi_evidence.probes.interface import SOURCES

PROBE_ID = re.compile(r"^[a-z][A-Za-z0-9]+$")


def snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def test_probe_ids_are_unique_statements_named_like_their_module() -> None:
    ids = [p.definition.id for p in ALL_PROBES]
    assert len(ids) == len(set(ids))
    for probe in ALL_PROBES:
        definition = probe.definition
        assert PROBE_ID.match(definition.id), definition.id
        module = type(probe).__module__.rsplit(".", 1)[-1]
        assert module == snake(definition.id), (module, definition.id)
        assert Path(import_module(type(probe).__module__).__file__ or "").with_suffix(".yml").is_file()


@pytest.mark.parametrize("probe", ALL_PROBES, ids=lambda p: p.definition.id)
def test_definition_is_complete(probe) -> None:
    definition = probe.definition
    assert {"true", "false"} <= set(definition.outcomes), definition.outcomes
    assert definition.short.endswith(".")
    assert definition.remediation
    assert definition.source in SOURCES
    assert isinstance(definition.min_tier, Tier)
    assert definition.kinds


def test_every_probe_is_mapped_to_all_three_frameworks_or_listed_unmapped() -> None:
    frameworks = load_frameworks()
    mapping = load_mappings(frameworks, probe_definitions().keys())
    by_probe = mapping.by_probe()
    for probe_id in probe_definitions():
        if probe_id in mapping.unmapped:
            assert mapping.unmapped[probe_id], f"{probe_id} is unmapped without a reason"
            continue
        assert probe_id in by_probe, f"{probe_id} has no control mapping"
        assert {link.framework for link in by_probe[probe_id]} == set(SHIPPED_FRAMEWORKS), probe_id
    for link in mapping.links:
        assert link.rationale, (link.probe, link.control_id)
        assert "\n" not in link.rationale, (link.probe, link.control_id)


def test_every_owasp_control_is_evidenced_by_some_probe() -> None:
    mapping = load_mappings(load_frameworks(), probe_definitions().keys())
    covered = {(link.framework, link.control_id) for link in mapping.links}
    for framework in load_frameworks():
        if framework.id.startswith("owasp"):
            missing = [c.id for c in framework.controls if (framework.id, c.id) not in covered]
            assert missing == [], (framework.id, missing)


def test_findings_share_equal_locations_values_and_the_empty_values_mapping() -> None:
    """Findings are most of an assessment's memory: equal parts are one object, not copies."""
    from nhi_evidence.clock import fixed_clock, parse_instant
    from nhi_evidence.pipeline import ScanRequest, assess

    acme = Path(__file__).resolve().parents[2] / "examples" / "acme"
    findings = assess(ScanRequest(roots=(acme,), jobs=1), fixed_clock(parse_instant("2026-11-25T12:00:00Z"))).findings
    located = [f.location for f in findings if f.location is not None]
    assert len({id(x) for x in located}) == len(set(located)) < len(located)
    empty = [f.values for f in findings if not f.values]
    assert empty
    assert len({id(x) for x in empty}) == 1
    valued = [f.values for f in findings if f.values]
    assert valued
    distinct = {repr(v) for v in valued}
    assert len({id(x) for x in valued}) == len(distinct) < len(valued)


def test_values_are_shared_only_when_types_order_and_content_agree() -> None:
    """1 and True and 1.0 are equal in Python but not in JSON; key order shows in the outputs."""
    from nhi_evidence.probes.interface import _shared

    shared: dict[str, Mapping[str, Any]] = {}
    first = _shared(shared, {"n": 1, "rules": ["a"]})
    assert _shared(shared, {"n": 1, "rules": ["a"]}) is first
    assert first == {"n": 1, "rules": ["a"]}
    others = [
        {"n": True, "rules": ["a"]},
        {"n": 1.0, "rules": ["a"]},
        {"rules": ["a"], "n": 1},
        {"n": 1, "rules": ("a",)},
    ]
    for value in others:
        got = _shared(shared, value)
        assert got is not first
        assert repr(got) == repr(value)
    # A copy, not the caller's mapping: the probe's result may change after the finding is made.
    source = {"n": 2}
    assert _shared(shared, source) is not source
