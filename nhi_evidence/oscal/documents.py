"""Every OSCAL document of an assessment, by file name: the set written by ``--format oscal`` and packs.

Files (relative paths):
  assessment-results.json, component-definition.json, poam.json,
  catalogs/<framework-id>.json (one per assessed framework),
  mapping-collection.json (OSCAL 1.2 only; left out for 1.1.3 with a note).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhi_evidence.gcpause import paused_gc
from nhi_evidence.model import Assessment
from nhi_evidence.oscal import (
    assessment_results,
    catalogs,
    component_definition,
    mapping_collection,
    poam,
    stream,
    validate,
)
from nhi_evidence.oscal.common import JsonDict, check_version, has_mapping_model
from nhi_evidence.oscal.repeated import REPEATED_ARRAYS, RepeatedItems
from nhi_evidence.sinks import FileSink


@dataclass(frozen=True)
class OscalBundle:
    """The documents of one assessment and the notes a user should see."""

    documents: Mapping[str, JsonDict]
    """Relative file name -> document."""
    notes: tuple[str, ...] = ()
    """Messages about documents left out (printed on stderr by the renderer, kept in the result remarks)."""
    oscal_version: str = ""
    """The OSCAL version the documents declare."""
    repeated: RepeatedItems | None = None
    """Where ``write_documents`` keeps the items the POA&M repeats from the assessment results."""

    def files(self) -> dict[str, bytes]:
        """Relative file name -> serialised bytes (streams expanded, not validated again)."""
        return {
            name: stream.dumps(doc, version=self.oscal_version, check=False)
            for name, doc in sorted(self.documents.items())
        }


def mapping_note(oscal_version: str) -> str:
    """The note explaining why the mapping collection is absent."""
    return (
        f"mapping-collection.json is not written for OSCAL {oscal_version}: the OSCAL control mapping model"
        " starts at 1.2.0 (use --oscal-version 1.2.1 to get it)."
    )


def skeletons(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    crosswalk: mapping_collection.Crosswalk | None = None,
    names: Collection[str] | None = None,
) -> OscalBundle:
    """Every document of an assessment (or those named), large arrays as streams, not yet validated.

    Raises OscalError when the version is unsupported or the crosswalk is malformed.
    """

    def wanted(name: str) -> bool:
        return names is None or name in names

    check_version(oscal_version)
    notes: list[str] = []
    documents: dict[str, JsonDict] = {}
    mapping_doc: JsonDict | None = None
    if not has_mapping_model(oscal_version):
        notes.append(mapping_note(oscal_version))
    elif wanted("mapping-collection.json"):
        crosswalk = crosswalk or mapping_collection.load(frameworks=assessment.frameworks)
        mapping_doc = mapping_collection.build(
            crosswalk, assessment.frameworks, assessment.created_at, oscal_version, assessment.tool_version
        )
        if mapping_doc is not None:
            bad = mapping_collection.check_relationships(mapping_doc)
            if bad:
                raise mapping_collection.CrosswalkError("invalid mapping relationships: " + "; ".join(bad))
    # Written together, the assessment results and the POA&M share their lookups, and the POA&M
    # reuses the bytes of the observations and risks it repeats (``repeated``), when the two
    # schemas define those items alike.
    index: assessment_results._Index | None = None
    repeated: RepeatedItems | None = None
    if wanted("assessment-results.json") and wanted("poam.json"):
        index = assessment_results._Index(assessment, evidence_hrefs or {})
        if all(stream.same_items(oscal_version, *pair) for pair in _REPEATED_PATHS):
            repeated = RepeatedItems(poam.repeated_uuids(poam.plan(assessment, index), index))
    if wanted("assessment-results.json"):
        documents["assessment-results.json"] = assessment_results.skeleton(
            assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs, notes=notes, index=index
        )
    if wanted("component-definition.json"):
        documents["component-definition.json"] = component_definition.skeleton(assessment, oscal_version)
    if wanted("poam.json"):
        documents["poam.json"] = poam.skeleton(
            assessment,
            oscal_version,
            definitions=definitions,
            evidence_hrefs=evidence_hrefs,
            index=index,
            repeated=repeated,
        )
    for framework in assessment.frameworks:
        if wanted(assessment_results.catalog_href(framework.id)):
            documents[assessment_results.catalog_href(framework.id)] = catalogs.build(
                framework, assessment.created_at, oscal_version, assessment.tool_version
            )
    if mapping_doc is not None:
        documents["mapping-collection.json"] = mapping_doc
    return OscalBundle(documents, tuple(notes), oscal_version, repeated)


_POAM = "plan-of-action-and-milestones"
#: (model, path) of the arrays whose items the POA&M repeats, in the assessment results and in the POA&M.
_REPEATED_PATHS = tuple(
    (("assessment-results", ("assessment-results", "results", 0, name)), (_POAM, (_POAM, name)))
    for name in REPEATED_ARRAYS
)


def document_names(assessment: Assessment, oscal_version: str) -> list[str]:
    """The file names of every document of an assessment, without building them."""
    names = ["assessment-results.json", "component-definition.json", "poam.json"]
    names += [assessment_results.catalog_href(f.id) for f in assessment.frameworks]
    if has_mapping_model(oscal_version):
        names.append("mapping-collection.json")
    return sorted(names)


def build_documents(
    assessment: Assessment,
    oscal_version: str,
    *,
    definitions: Mapping[str, Any] | None = None,
    evidence_hrefs: Mapping[str, str] | None = None,
    crosswalk: mapping_collection.Crosswalk | None = None,
    check: bool = True,
) -> OscalBundle:
    """Every document of an assessment whole in memory (and by default validated against the NIST schemas).

    For small assessments and tests; ``write_documents`` streams them. Raises OscalError when the
    version is unsupported, the crosswalk is malformed, or a document does not validate (a defect of
    this tool, reported rather than written).
    """
    bundle = skeletons(
        assessment, oscal_version, definitions=definitions, evidence_hrefs=evidence_hrefs, crosswalk=crosswalk
    )
    with paused_gc():
        documents = {name: stream.materialise(doc) for name, doc in bundle.documents.items()}
    if check:
        for document in documents.values():
            validate.check(document, oscal_version)
    return OscalBundle(documents, bundle.notes, oscal_version)


def write_documents(
    bundle: OscalBundle, sink: FileSink, *, check: bool = True, names: Sequence[str] | None = None
) -> None:
    """Write every document of a bundle (or those named) into sink, streamed and validated item by item.

    The bytes equal ``bundle.files()`` (a test checks it). Raises OscalError when a document does
    not validate; nothing invalid is written, but the sink may hold the documents before it.
    """
    repeated = bundle.repeated
    try:
        # Sorted: assessment-results.json is written before poam.json, which repeats its items.
        for name, document in sorted(bundle.documents.items()):
            if names is not None and name not in names:
                continue
            on_item = repeated.record if repeated is not None and name == "assessment-results.json" else None
            with sink.open(name) as handle:
                stream.write(document, handle, version=bundle.oscal_version, check=check, on_item=on_item)
    finally:
        if repeated is not None:
            repeated.close()
