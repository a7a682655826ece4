"""Probes over what identities actually did: audit logs and git history."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
