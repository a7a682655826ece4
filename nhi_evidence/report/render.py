"""Render the report: Jinja2 templates -> self-contained HTML -> (weasyprint) PDF.

Templates live in ``templates/report`` (packaged under ``nhi_evidence/_data/templates``). The
environment escapes every value (autoescape on) and refuses undefined variables
(``StrictUndefined``), so a typo in a template is an error, not a blank. The stylesheet is inlined
in the page, which makes the HTML twin self-contained and leaves weasyprint nothing to fetch;
weasyprint still gets ``AssetFetcher``, which refuses every URL outside the packaged templates.

PDF document metadata (title, author, subject, keywords, creation date) comes from the page's
``<title>`` and ``<meta>`` elements; bookmarks (the PDF outline) from ``bookmark-level`` on section
headings; "page X of Y", the running header and the table of contents' page numbers from CSS paged
media (``counter(pages)``, ``string-set``, ``target-counter``).
NOTE: https://doc.courtbouillon.org/weasyprint/stable/api_reference.html (metadata from HTML,
``pdf_variant``, ``pdf_identifier``) and https://www.w3.org/TR/css-gcpm-3/ (running strings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from nhi_evidence.model import Assessment
from nhi_evidence.renderers.interface import RenderError, RenderOptions
from nhi_evidence.report.context import DEFAULT_LIMITS, Limits, build_context
from nhi_evidence.report.fetcher import AssetFetcher
from nhi_evidence.resources import templates_dir

#: PDF variants offered on the command line (weasyprint names).
PDF_VARIANTS = ("pdf/a-3b",)


def _number(value: Any) -> str:
    """Integers with a thousands separator (12,345)."""
    return f"{int(value):,}"


def _size(value: Any) -> str:
    """A byte count in human units."""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - loop always returns


@cache
def environment(folder: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment for the report templates (autoescape on, undefined is an error)."""
    root = folder or templates_dir() / "report"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _number
    env.filters["size"] = _size
    return env


def render_html(
    assessment: Assessment, options: RenderOptions, *, mode: str = "html", limits: Limits = DEFAULT_LIMITS
) -> str:
    """The report as one self-contained HTML page (mode "pdf" gives the page weasyprint lays out)."""
    return _page(build_context(assessment, options, mode=mode, limits=limits))


def _page(context: dict[str, Any]) -> str:
    env = environment()
    # The packaged stylesheet is trusted and goes into a raw-text <style> element, where entities
    # would not be decoded: it is marked safe instead of escaped.
    stylesheet = Markup((templates_dir() / "report" / "report.css").read_text(encoding="utf-8"))  # noqa: S704
    try:
        return env.get_template("report.html.j2").render(**context, stylesheet=stylesheet)
    except jinja2.TemplateError as exc:
        raise RenderError(f"report template error: {exc}") from exc


@dataclass
class PdfResult:
    """A rendered PDF with what the layout produced."""

    content: bytes
    """The PDF file."""
    pages: int
    """Number of pages."""
    fetcher: AssetFetcher
    """The fetcher used (its ``requests`` list every URL weasyprint asked for)."""


def html_to_pdf(
    html: str, *, identifier: str = "", variant: str | None = None, fetcher: AssetFetcher | None = None
) -> PdfResult:
    """Lay out report HTML with weasyprint, fetching through AssetFetcher only."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s that text/JSON output never needs

    if variant is not None and variant not in PDF_VARIANTS:
        raise RenderError(f"unknown PDF variant {variant!r}; choose one of {', '.join(PDF_VARIANTS)}")
    fetcher = fetcher or AssetFetcher()
    # weasyprint reports refused URLs and unsupported CSS as log warnings; the report is still written.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    base = (templates_dir() / "report").as_uri() + "/"
    document = HTML(string=html, base_url=base, url_fetcher=fetcher).render()
    options: dict[str, Any] = {"pdf_variant": variant}
    if identifier:
        # A stable file identifier keeps the PDF byte-identical for the same assessment.
        options["pdf_identifier"] = identifier.replace("-", "").encode("ascii")[:32]
    content = document.write_pdf(**options)
    return PdfResult(content, len(document.pages), fetcher)


def render_pdf(
    assessment: Assessment,
    options: RenderOptions,
    *,
    limits: Limits = DEFAULT_LIMITS,
    fetcher: AssetFetcher | None = None,
) -> PdfResult:
    """The report as a PDF (``options.pdf_variant``: None or "pdf/a-3b")."""
    html = render_html(assessment, options, mode="pdf", limits=limits)
    return html_to_pdf(html, identifier=assessment.id, variant=options.pdf_variant, fetcher=fetcher)


def render_pdf_and_html(
    assessment: Assessment,
    options: RenderOptions,
    *,
    limits: Limits = DEFAULT_LIMITS,
    context_built: Callable[[], None] | None = None,
) -> tuple[bytes, bytes]:
    """The PDF and its HTML twin from one context (the same bytes as ``render_pdf`` and ``render_html``).

    The context walks every finding and control of the assessment (seconds at 10,000
    repositories); an audit pack holds both reports, so it builds the context once.
    ``context_built`` is called once the context is built: nothing after it reads the assessment
    (the templates and the layout read the context only), so a caller may let go of it there.
    """
    context = build_context(assessment, options, mode="pdf", limits=limits)
    if context_built is not None:
        context_built()
    html = _page({**context, "mode": "html"}).encode("utf-8")
    pdf = html_to_pdf(_page(context), identifier=assessment.id, variant=options.pdf_variant).content
    return pdf, html
