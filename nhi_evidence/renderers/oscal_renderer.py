"""``--format oscal``: a folder of OSCAL documents validated against the NIST schemas.

Writes assessment-results.json, component-definition.json, poam.json, catalogs/<framework>.json and,
for OSCAL 1.2, mapping-collection.json (see ``nhi_evidence/oscal/documents.py`` and README section
``oscal``). ``RenderOptions.oscal_version`` chooses 1.2.1 (default) or 1.1.3;
``RenderOptions.extra["evidence_hrefs"]`` (evidence id -> path) points observations at evidence
copies, as an audit pack does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from nhi_evidence.model import Assessment
from nhi_evidence.oscal.common import OscalError, dumps
from nhi_evidence.oscal.documents import OscalBundle, build_documents
from nhi_evidence.renderers.interface import Renderer, RenderError, RenderOptions


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

    def bundle(self, assessment: Assessment, options: RenderOptions) -> OscalBundle:
        """Build and validate every document; OSCAL problems become RenderError."""
        hrefs = options.extra.get("evidence_hrefs") or {}
        try:
            return build_documents(
                assessment, options.oscal_version, definitions=_definitions(), evidence_hrefs=dict(hrefs)
            )
        except OscalError as exc:
            raise RenderError(str(exc)) from None

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        """The assessment-results document alone."""
        return dumps(self.bundle(assessment, options).documents["assessment-results.json"])

    def render_files(self, assessment: Assessment, options: RenderOptions) -> dict[str, bytes]:
        bundle = self.bundle(assessment, options)
        for note in bundle.notes:
            click.echo(f"nhi-evidence: note: {note}", err=True)
        return bundle.files()
