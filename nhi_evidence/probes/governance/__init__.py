"""Probes over repository and organisation governance read from GitHub (live or exported)."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
