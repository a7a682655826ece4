r"""Validate OSCAL documents against the NIST JSON schemas with jsonschema-rs.

The schemas ship in ``mappings/oscal-schemas/<version>/`` (copies of the NIST release assets).
jsonschema-rs is used because the OSCAL schemas use ``\p{L}`` / ``\p{N}`` in their patterns, which
Python's ``re`` (and so the pure-Python ``jsonschema``) cannot evaluate; it also checks the draft-07
``format`` keywords (date-time, uri-reference) by default.

NOTE: NIST publishes the JSON schemas only as release assets, https://github.com/usnistgov/OSCAL/releases
(``oscal_<model>_schema.json``); the mapping model exists from 1.2.0 on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema_rs

from nhi_evidence.oscal.common import OscalError, check_version
from nhi_evidence.resources import mappings_dir

#: Root key of each OSCAL model -> schema file name in the NIST release.
SCHEMA_FILES: Mapping[str, str] = {
    "assessment-results": "oscal_assessment-results_schema.json",
    "catalog": "oscal_catalog_schema.json",
    "component-definition": "oscal_component_schema.json",
    "mapping-collection": "oscal_mapping_schema.json",
    "plan-of-action-and-milestones": "oscal_poam_schema.json",
}

#: How many schema errors a failure message lists.
MAX_ERRORS = 5


class OscalValidationError(OscalError):
    """A document does not validate against its NIST schema."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


def schema_path(model: str, version: str) -> Path:
    """Path of the shipped schema of a model and OSCAL version."""
    check_version(version)
    if model not in SCHEMA_FILES:
        raise OscalError(f"unknown OSCAL model {model!r}")
    path = mappings_dir() / "oscal-schemas" / version / SCHEMA_FILES[model]
    if not path.is_file():
        raise OscalError(f"OSCAL {version} has no {model} schema in this installation ({path.name} missing)")
    return path


@functools.cache
def _validator(model: str, version: str) -> Any:
    schema = json.loads(schema_path(model, version).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def model_of(document: Mapping[str, Any]) -> str:
    """The model of a document: its single root key (``assessment-results``, ``catalog``...)."""
    roots = [key for key in document if key in SCHEMA_FILES]
    if len(roots) != 1:
        raise OscalError("not an OSCAL document of a supported model (expected one root such as 'catalog')")
    return roots[0]


def declared_version(document: Mapping[str, Any]) -> str:
    """The ``metadata.oscal-version`` of a document ('' when absent)."""
    body = document.get(model_of(document))
    if isinstance(body, Mapping):
        meta = body.get("metadata")
        if isinstance(meta, Mapping):
            return str(meta.get("oscal-version", ""))
    return ""


def schema_errors(document: Mapping[str, Any], version: str | None = None) -> list[str]:
    """Every schema error of a document (empty when valid), as ``/json/pointer: message``.

    ``version`` defaults to the document's declared ``oscal-version``.
    """
    model = model_of(document)
    version = version or declared_version(document)
    validator = _validator(model, version)
    errors: list[str] = []
    for error in validator.iter_errors(document):
        pointer = "/" + "/".join(str(p) for p in error.instance_path)
        errors.append(f"{pointer}: {error.message}")
    return errors


def check(document: Mapping[str, Any], version: str | None = None) -> None:
    """Raise OscalValidationError when the document does not validate against its NIST schema."""
    version = version or declared_version(document)
    model = model_of(document)
    if _validator(model, version).is_valid(document):
        return
    errors = schema_errors(document, version)
    shown = "; ".join(errors[:MAX_ERRORS]) + (
        f"; and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
    )
    raise OscalValidationError(f"the {model} document is not valid OSCAL {version}: {shown}", errors)
