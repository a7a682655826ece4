"""Output formats, registered explicitly in ``OutputFormat``."""

from __future__ import annotations

import enum
from typing import assert_never

from nhi_evidence.renderers.interface import Renderer, RenderError, RenderOptions
from nhi_evidence.renderers.json_renderer import JsonRenderer
from nhi_evidence.renderers.text import TextRenderer


class OutputFormat(enum.StrEnum):
    """Formats accepted by ``--format``."""

    TEXT = "text"
    JSON = "json"

    def renderer(self) -> Renderer:
        """The renderer for this format."""
        match self:
            case OutputFormat.TEXT:
                return TextRenderer()
            case OutputFormat.JSON:
                return JsonRenderer()
            case _:
                assert_never(self)


__all__ = ["OutputFormat", "RenderError", "RenderOptions", "Renderer"]
