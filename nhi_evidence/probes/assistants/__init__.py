"""Probes common to every assistant kind: MCP servers, inline secrets, approval and sandbox settings."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = ()
