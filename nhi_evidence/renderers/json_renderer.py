"""``--format json``: the versioned JSON contract (see ``serialize.py`` and the README)."""

from __future__ import annotations

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import Renderer, RenderOptions
from nhi_evidence.serialize import dumps


class JsonRenderer(Renderer):
    """The assessment as JSON."""

    name = "json"
    extension = "json"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        return dumps(assessment).encode("utf-8")
