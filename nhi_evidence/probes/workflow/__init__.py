"""Probes over CI workflow jobs that run an assistant."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
