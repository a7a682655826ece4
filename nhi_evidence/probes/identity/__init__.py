"""Probes over the identity inventory: ownership, offboarding, rotation, sharing, shadow identities."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
