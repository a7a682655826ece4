"""``--format pdf``: the audit report an auditor reads and signs (Jinja2 templates laid out by weasyprint).

The work is in ``nhi_evidence.report``; this module adapts it to the renderer interface.
"""

from __future__ import annotations

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import Renderer, RenderOptions


class PdfRenderer(Renderer):
    """The assessment as a paginated PDF report (PDF/A-3b with ``pdf_variant="pdf/a-3b"``)."""

    name = "pdf"
    quotes_pack_digest = True
    fixed_cost = 14.0
    cost_per_finding = 14e-6
    extension = "pdf"

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        # Imported on use: nhi_evidence.report imports the renderer interface, and weasyprint is slow to load.
        from nhi_evidence.report.render import render_pdf

        return render_pdf(assessment, options).content
