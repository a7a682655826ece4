"""Any framework catalog (shipped or added with ``--mappings``) as an OSCAL catalog.

Groups become nested OSCAL groups (CSF functions and categories), controls keep their official short
ids (NHI1, ASI01, GV.OC-01; already OSCAL tokens, any other id is made one and its original kept as
the ``label`` property). The description of each control is a ``statement`` part (CSF: the verbatim
NIST outcome is the title) or, for risk lists such as the OWASP Top 10s, an ``overview`` part.
Back-matter carries the attribution and the licence; OWASP content is CC BY-SA 4.0, so the OSCAL
rendering is shared under the same licence with the changes stated.

Reference: https://pages.nist.gov/OSCAL/reference/1.1.3/catalog/json-reference/
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from nhi_evidence.model import Control, ControlGroup, Framework
from nhi_evidence.oscal.common import (
    JsonDict,
    line,
    metadata,
    oscal_uuid,
    prop,
    props,
    prose,
    put,
    token,
)

CC_BY_SA_4 = "https://creativecommons.org/licenses/by-sa/4.0/"


def is_cc_by_sa(framework: Framework) -> bool:
    """Whether the catalog text is licensed CC BY-SA 4.0 (the OWASP lists)."""
    text = framework.license.replace("-", " ").upper()
    return "CC BY SA 4.0" in text


def _control(control: Control) -> JsonDict:
    control_id = token(control.id)
    out: JsonDict = {"id": control_id}
    out["title"] = line(control.title, control.id)
    out["props"] = props(
        [
            prop("label", control.label or control.id, ns=None),
            *(prop("replaces", old, remarks="CSF 1.1 subcategory this control replaces.") for old in control.replaces),
        ]
    )
    if control.url:
        out["links"] = [{"href": control.url, "rel": "reference"}]
    if control.summary:
        out["parts"] = [{"id": f"{control_id}_ovw", "name": "overview", "prose": prose(control.summary)}]
    else:
        out["parts"] = [{"id": f"{control_id}_smt", "name": "statement", "prose": prose(control.title)}]
    return out


def _group(
    group: ControlGroup, children: dict[str, list[ControlGroup]], controls: dict[str, list[Control]]
) -> JsonDict:
    group_id = token(group.id)
    out: JsonDict = {"id": group_id}
    out["title"] = line(group.title, group.id)
    out["props"] = props([prop("label", f"{group.title} ({group.id})", ns=None)])
    if group.text:
        out["parts"] = [{"id": f"{group_id}_ovw", "name": "overview", "prose": prose(group.text)}]
    put(out, "groups", [_group(child, children, controls) for child in children.get(group.id, [])])
    put(out, "controls", [_control(c) for c in controls.get(group.id, [])])
    return out


def back_matter(framework: Framework) -> JsonDict:
    """Attribution (publisher, title, version, sources) and licence resources."""
    urls = [s.split()[0] for s in framework.source if s.startswith(("http://", "https://"))]
    cited = "; ".join(framework.source)
    attribution: JsonDict = {
        "uuid": oscal_uuid("catalog-attribution", framework.id),
        "title": line(f"Attribution: {framework.title} {framework.version}"),
        "description": prose(
            f"{framework.title} {framework.version}, published by {framework.publisher or 'its publisher'}."
            " Converted to OSCAL by nhi-evidence from its catalog file; ids and titles are the official ones."
        ),
        "props": props([prop("type", "citation", ns=None)]),
        "citation": {"text": prose(f"{framework.title} {framework.version}. Sources: {cited or 'not stated'}.")},
    }
    put(attribution, "rlinks", [{"href": url} for url in urls])
    licence_text = framework.license or "No licence is stated for this catalog's content."
    licence: JsonDict = {
        "uuid": oscal_uuid("catalog-licence", framework.id),
        "title": "Licence of the catalog content",
        "description": prose(licence_text),
        "props": props([prop("resource-role", "license")]),
    }
    if is_cc_by_sa(framework):
        licence["title"] = "Licence: Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)"
        licence["description"] = prose(
            f"{licence_text}\n\nThis OSCAL catalog is an adaptation of that content (converted to OSCAL; summaries"
            " in the project's own words) and is shared under the same licence, CC BY-SA 4.0."
        )
        licence["rlinks"] = [{"href": CC_BY_SA_4, "media-type": "text/html"}]
    return {"resources": [attribution, licence]}


def build(framework: Framework, created_at: datetime, oscal_version: str, tool_version: str) -> JsonDict:
    """The OSCAL catalog of a framework; ``created_at`` is the last-modified time."""
    children: dict[str, list[ControlGroup]] = defaultdict(list)
    known = {g.id for g in framework.groups}
    for group in framework.groups:
        children[group.parent if group.parent in known else ""].append(group)
    controls: dict[str, list[Control]] = defaultdict(list)
    for control in framework.controls:
        controls[control.group if control.group in known else ""].append(control)
    matter = back_matter(framework)
    licence_uuid = matter["resources"][1]["uuid"]
    catalog: JsonDict = {
        "uuid": oscal_uuid("catalog", framework.id, framework.version),
        "metadata": metadata(
            f"{framework.title} {framework.version}",
            created_at,
            framework.version,
            oscal_version,
            properties=[prop("framework", framework.id), prop("tool-version", tool_version)],
            links=[{"href": f"#{licence_uuid}", "rel": "license"}],
            parties={"creator": framework.publisher} if framework.publisher else None,
            remarks=f"Generated by nhi-evidence {tool_version} from the {framework.id} catalog file.",
        ),
    }
    put(catalog, "groups", [_group(g, children, controls) for g in children.get("", [])])
    put(catalog, "controls", [_control(c) for c in controls.get("", [])])
    catalog["back-matter"] = matter
    return {"catalog": catalog}
