"""``--format html``: the report's HTML twin, one self-contained page (styles inline, nothing fetched)."""

from __future__ import annotations

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import Renderer, RenderOptions


class HtmlRenderer(Renderer):
    """The assessment as the same report as the PDF, for reading in a browser."""

    name = "html"
    quotes_pack_digest = True
    fixed_cost = 0.5
    cost_per_finding = 12e-6
    extension = "html"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        from nhi_evidence.report.render import render_html

        return render_html(assessment, options, mode="html").encode("utf-8")
