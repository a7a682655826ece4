"""``--format oscal``: a folder of OSCAL documents validated against the NIST schemas.

Writes assessment-results.json, component-definition.json, poam.json, catalogs/<framework>.json and,
for OSCAL 1.2, mapping-collection.json (see ``nhi_evidence/oscal/documents.py`` and README section
``oscal``). ``RenderOptions.oscal_version`` chooses 1.2.1 (default) or 1.1.3;
``RenderOptions.extra["evidence_hrefs"]`` (evidence id -> path) points observations at evidence
copies, as an audit pack does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import click

from nhi_evidence.model import Assessment
from nhi_evidence.oscal.common import OscalError, check_version, has_mapping_model
from nhi_evidence.oscal.documents import (
    document_names,
    mapping_note,
    skeletons,
    write_documents,
)
from nhi_evidence.renderers.interface import Renderer, RenderError, RenderOptions
from nhi_evidence.sinks import FileSink, MemorySink, Part


def _definitions() -> Mapping[str, Any]:
    # Probe wording gives risks their statement; imported lazily so the OSCAL package does not
    # depend on the probe registry.
    from nhi_evidence.probes import probe_definitions

    return probe_definitions()


class OscalRenderer(Renderer):
    """The OSCAL documents of an assessment."""

    name = "oscal"
    extension = "json"
    directory = True

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        """The assessment-results document alone."""
        buffers = MemorySink()
        _write(assessment, options, ("assessment-results.json",), buffers)
        return buffers.files["assessment-results.json"]

    def render_files(self, assessment: Assessment, options: RenderOptions) -> dict[str, bytes]:
        buffers = MemorySink()
        self.write_files(assessment, options, buffers)
        return buffers.files

    def write_files(self, assessment: Assessment, options: RenderOptions, sink: FileSink) -> None:
        """Stream every document into sink, each item validated as it is written."""
        for part in self.parts(assessment, options):
            part.write(sink)

    def parts(self, assessment: Assessment, options: RenderOptions) -> list[Part]:
        """One part per document, so the large ones can be written by different processes.

        The assessment results and the POA&M form one part (the POA&M reuses items of the other).
        Each part builds its own documents when it runs, so the lookups a document needs are built
        by the process that writes it.
        """
        try:
            check_version(options.oscal_version)
        except OscalError as exc:
            raise RenderError(str(exc)) from None
        if not has_mapping_model(options.oscal_version):
            click.echo(f"nhi-evidence: note: {mapping_note(options.oscal_version)}", err=True)
        findings = len(assessment.findings)
        names = document_names(assessment, options.oscal_version)
        # The POA&M repeats observations and risks of the assessment results: written by the same
        # part, it reuses their bytes (``oscal/repeated.py``) instead of building them again.
        together = [name for name in names if name in REPEATED_TOGETHER]
        groups = [tuple(together)] if len(together) > 1 else [(name,) for name in together]
        groups += [(name,) for name in names if name not in together]
        return [
            Part(
                " and ".join(f"oscal/{name}" for name in group),
                sum(_cost(name, findings, len(group) > 1) for name in group),
                functools.partial(_write, assessment, options, group),
            )
            for group in sorted(groups)
        ]


def _cost(name: str, findings: int, together: bool) -> float:
    """Estimated seconds of one document; the POA&M costs less written with the assessment results."""
    if name == "poam.json" and together:
        return POAM_REPEATING_COST * findings
    return DOCUMENT_COST[name] * findings if name in DOCUMENT_COST else SMALL_DOCUMENT_COST


#: Estimated seconds of a catalog or the mapping collection, whatever the assessment's size.
SMALL_DOCUMENT_COST = 0.05
#: Estimated seconds per finding of the large documents (measured at 10,000 repositories).
DOCUMENT_COST: Mapping[str, float] = {
    "assessment-results.json": 110e-6,
    "component-definition.json": 17e-6,
    "poam.json": 70e-6,
}
#: Estimated seconds per finding of the POA&M written after the assessment results by the same part.
POAM_REPEATING_COST = 30e-6
#: The documents written by one part when both are wanted.
REPEATED_TOGETHER = ("assessment-results.json", "poam.json")


def _write(assessment: Assessment, options: RenderOptions, names: tuple[str, ...], sink: FileSink) -> None:
    hrefs = options.extra.get("evidence_hrefs") or {}
    try:
        bundle = skeletons(
            assessment, options.oscal_version, definitions=_definitions(), evidence_hrefs=dict(hrefs), names=names
        )
        write_documents(bundle, sink, names=names)
    except OscalError as exc:
        raise RenderError(str(exc)) from None
