"""The PDF audit report and its HTML twin.

``context`` turns an Assessment into what the templates show (summaries, grouped findings, control
tables), ``charts`` computes the inline SVG charts, ``diff`` reads the previous-pack difference,
``fetcher`` is the only URL fetcher weasyprint gets, ``render`` runs Jinja2 and weasyprint.
"""

from __future__ import annotations

from nhi_evidence.report.context import DEFAULT_LIMITS, Limits, build_context
from nhi_evidence.report.diff import ControlChange, CoverageChange, ReportDiff, coerce_diff
from nhi_evidence.report.fetcher import AssetFetcher
from nhi_evidence.report.render import PDF_VARIANTS, PdfResult, html_to_pdf, render_html, render_pdf

__all__ = [
    "DEFAULT_LIMITS",
    "PDF_VARIANTS",
    "AssetFetcher",
    "ControlChange",
    "CoverageChange",
    "Limits",
    "PdfResult",
    "ReportDiff",
    "build_context",
    "coerce_diff",
    "html_to_pdf",
    "render_html",
    "render_pdf",
]
