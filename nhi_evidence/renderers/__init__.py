"""Output formats, registered explicitly in ``OutputFormat``."""

from __future__ import annotations

import enum
from typing import assert_never

from nhi_evidence.renderers.csv_renderer import CsvRenderer
from nhi_evidence.renderers.html_renderer import HtmlRenderer
from nhi_evidence.renderers.interface import Renderer, RenderError, RenderOptions
from nhi_evidence.renderers.json_renderer import JsonRenderer
from nhi_evidence.renderers.markdown import MarkdownRenderer
from nhi_evidence.renderers.oscal_renderer import OscalRenderer
from nhi_evidence.renderers.pdf_renderer import PdfRenderer
from nhi_evidence.renderers.sarif import SarifRenderer
from nhi_evidence.renderers.text import TextRenderer


class OutputFormat(enum.StrEnum):
    """Formats accepted by ``--format``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    CSV = "csv"
    PDF = "pdf"
    HTML = "html"
    OSCAL = "oscal"

    def renderer(self) -> Renderer:
        """The renderer for this format."""
        match self:
            case OutputFormat.TEXT:
                return TextRenderer()
            case OutputFormat.JSON:
                return JsonRenderer()
            case OutputFormat.SARIF:
                return SarifRenderer()
            case OutputFormat.MARKDOWN:
                return MarkdownRenderer()
            case OutputFormat.CSV:
                return CsvRenderer()
            case OutputFormat.PDF:
                return PdfRenderer()
            case OutputFormat.HTML:
                return HtmlRenderer()
            case OutputFormat.OSCAL:
                return OscalRenderer()
            case _:
                assert_never(self)


__all__ = ["OutputFormat", "RenderError", "RenderOptions", "Renderer"]
