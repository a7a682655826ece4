"""Capability classification: whether an assistant merely suggests code or can act.

Collectors gather ``Signal``s from evidence (an allowed tool, a token permission, a deploy step) and
``classify`` turns them into a ``Capability``: the highest tier any signal supports, with the reasons
listed most decisive first. The tiers, in order (see ``model.Tier``):

- advisory: no tools that act, no network, no credentials;
- local-actor: edits files or runs commands on a workstation;
- repository-actor: commits, opens pull requests or comments with a token;
- pipeline-actor: runs in CI with a token, secrets or cloud credentials (``id-token: write``);
- release-actor: can publish, deploy, create releases or change infrastructure.

A probe declares the lowest tier it concerns; for a subject below it the probe's outcome is
not-applicable (an advisory assistant holds no secret to rotate), never a silent "satisfied".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nhi_evidence.model import Capability, Tier


@dataclass(frozen=True)
class Signal:
    """One piece of evidence supporting a tier."""

    tier: Tier
    """The tier this evidence supports on its own."""
    reason: str
    """Full sentence naming the evidence."""


def classify(
    signals: Iterable[Signal], default_reason: str = "No evidence of tools, credentials or write access."
) -> Capability:
    """The capability supported by the signals: highest tier, reasons sorted by tier (highest first)."""
    unique: dict[str, Signal] = {}
    for signal in signals:
        known = unique.get(signal.reason)
        if known is None or signal.tier.rank > known.tier.rank:
            unique[signal.reason] = signal
    if not unique:
        return Capability(Tier.ADVISORY, (default_reason,))
    ordered = sorted(unique.values(), key=lambda s: (-s.tier.rank, s.reason))
    return Capability(ordered[0].tier, tuple(s.reason for s in ordered))
