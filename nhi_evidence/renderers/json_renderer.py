"""``--format json``: the versioned JSON contract (see ``serialize.py`` and the README)."""

from __future__ import annotations

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import Renderer, RenderOptions
from nhi_evidence.serialize import dumps, write
from nhi_evidence.sinks import BinaryWriter


class JsonRenderer(Renderer):
    """The assessment as JSON."""

    name = "json"
    fixed_cost = 0.1
    cost_per_finding = 28e-6
    extension = "json"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        return dumps(assessment).encode("utf-8")

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """The contract, record by record (same bytes as ``render``)."""
        write(assessment, out)
