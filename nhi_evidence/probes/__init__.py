"""Probes, registered explicitly per family (each family package has a ``PROBES`` tuple)."""

from __future__ import annotations

from nhi_evidence.probes import activity, assistants, claude, governance, identity, workflow
from nhi_evidence.probes.interface import Probe, ProbeContext, ProbeDefinition, Result, SubjectProbe, run_probes

ALL_PROBES: tuple[Probe, ...] = (
    *claude.PROBES,
    *assistants.PROBES,
    *workflow.PROBES,
    *identity.PROBES,
    *governance.PROBES,
    *activity.PROBES,
)


def probe_definitions() -> dict[str, ProbeDefinition]:
    """Definitions of every registered probe, by id."""
    return {probe.definition.id: probe.definition for probe in ALL_PROBES}


__all__ = [
    "ALL_PROBES",
    "Probe",
    "ProbeContext",
    "ProbeDefinition",
    "Result",
    "SubjectProbe",
    "probe_definitions",
    "run_probes",
]
