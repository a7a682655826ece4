"""``--format json``: the versioned JSON contract (see ``serialize.py`` and the README)."""

from __future__ import annotations

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import RenderOptions, StreamedRenderer
from nhi_evidence.serialize import write
from nhi_evidence.sinks import BinaryWriter


class JsonRenderer(StreamedRenderer):
    """The assessment as JSON."""

    name = "json"
    fixed_cost = 0.1
    cost_per_finding = 28e-6
    extension = "json"

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """The contract, record by record (the bytes of ``serialize.dumps``)."""
        write(assessment, out)
