"""Every OSCAL document of an assessment, by file name: the set written by ``--format oscal`` and packs.

Files (relative paths):
  assessment-results.json, component-definition.json, poam.json,
  catalogs/<framework-id>.json (one per assessed framework),
  mapping-collection.json (OSCAL 1.2 only; left out for 1.1.3 with a note).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nhi_evidence.model import Assessment
from nhi_evidence.oscal import assessment_results, catalogs, component_definition, mapping_collection, poam, validate
from nhi_evidence.oscal.common import JsonDict, check_version, dumps, has_mapping_model


@dataclass(frozen=True)
class OscalBundle:
    """The documents of one assessment and the notes a user should see."""

    documents: Mapping[str, JsonDict]
    """Relative file name -> document."""
    notes: tuple[str, ...] = ()
    """Messages about documents left out (printed on stderr by the renderer, kept in the result remarks)."""

    def files(self) -> dict[str, bytes]:
        """Relative file name -> serialised bytes."""
        return {name: dumps(doc) for name, doc in sorted(self.documents.items())}


def mapping_note(oscal_version: str) -> str:
    """The note explaining why the mapping collection is absent."""
    return (
        f"mapping-collection.json is not written for OSCAL {oscal_version}: the OSCAL control mapping model"
        " starts at 1.2.0 (use --oscal-version 1.2.1 to get it)."
    )


def build_documents(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    crosswalk: mapping_collection.Crosswalk | None = None,
    check: bool = True,
) -> OscalBundle:
    """Build (and by default validate against the NIST schemas) every document of an assessment.

    Raises OscalError when the version is unsupported, the crosswalk is malformed, or a document does
    not validate (a defect of this tool, reported rather than written).
    """
    check_version(oscal_version)
    notes: list[str] = []
    documents: dict[str, JsonDict] = {}
    mapping_doc: JsonDict | None = None
    if has_mapping_model(oscal_version):
        crosswalk = crosswalk or mapping_collection.load(frameworks=assessment.frameworks)
        mapping_doc = mapping_collection.build(
            crosswalk, assessment.frameworks, assessment.created_at, oscal_version, assessment.tool_version
        )
        if mapping_doc is not None:
            bad = mapping_collection.check_relationships(mapping_doc)
            if bad:
                raise mapping_collection.CrosswalkError("invalid mapping relationships: " + "; ".join(bad))
    else:
        notes.append(mapping_note(oscal_version))
    documents["assessment-results.json"] = assessment_results.build(
        assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs, notes=notes
    )
    documents["component-definition.json"] = component_definition.build(assessment, oscal_version)
    documents["poam.json"] = poam.build(
        assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs
    )
    for framework in assessment.frameworks:
        documents[assessment_results.catalog_href(framework.id)] = catalogs.build(
            framework, assessment.created_at, oscal_version, assessment.tool_version
        )
    if mapping_doc is not None:
        documents["mapping-collection.json"] = mapping_doc
    if check:
        for document in documents.values():
            validate.check(document, oscal_version)
    return OscalBundle(documents, tuple(notes))
