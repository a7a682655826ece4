"""Probes over Claude Code configuration (settings, permissions, hooks) in repositories."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
