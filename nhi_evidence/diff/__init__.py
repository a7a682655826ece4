"""Comparing two assessments (packs, ``assessment.json`` files or OSCAL assessment results).

``inputs`` reads either side into a ``Snapshot``, ``compare`` computes a ``DiffReport`` (controls
improved or regressed with the findings behind each change, findings new/resolved/unchanged by
their stable key, identities added or removed, permission changes, coverage before and after),
``render`` writes it as text, Markdown, JSON or HTML, and ``trend`` follows coverage across packs.
"""

from __future__ import annotations

from nhi_evidence.diff.compare import DiffReport, compare, gate
from nhi_evidence.diff.inputs import InputError, Snapshot, load_snapshot

__all__ = ["DiffReport", "InputError", "Snapshot", "compare", "gate", "load_snapshot"]
