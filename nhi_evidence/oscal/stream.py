"""Writing OSCAL documents whose large arrays are produced item by item, validated as they go.

At 10,000 repositories an assessment-results document holds hundreds of thousands of observations;
the builders return skeletons whose large arrays are ``jsonstream.Stream`` objects, written one
item at a time by ``jsonstream.write``. The bytes equal ``common.dumps`` of the same document with
every stream expanded (``materialise``); a test checks it. Validation is split the same way: the skeleton is checked against the document's
NIST schema with the first item of each stream in place, and every item against the schema
definition of its array (found by following the schema along the item's path), so every byte that
is written has been validated.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from nhi_evidence import jsonstream
from nhi_evidence.gcpause import paused_gc
from nhi_evidence.jsonstream import JsonPath, Raw, Stream, materialise
from nhi_evidence.oscal.common import JsonDict, OscalError, check_version
from nhi_evidence.oscal.validate import MAX_ERRORS, OscalValidationError, declared_version, model_of, schema_path
from nhi_evidence.oscal.validate import check as check_document
from nhi_evidence.sinks import BinaryWriter

#: Raw, Stream and materialise are re-exported for the document builders.
__all__ = [
    "Raw",
    "Stream",
    "check_item",
    "dumps",
    "item_definition",
    "item_validator",
    "materialise",
    "same_items",
    "values_validator",
    "write",
]


def _schema(model: str, version: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path(model, version).read_text(encoding="utf-8"))
    return schema


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow ``$ref`` (and a single-branch ``allOf``) to the schema that describes a value."""
    while True:
        if "$ref" in node:
            ref = str(node["$ref"])
            if not ref.startswith("#/definitions/"):
                raise OscalError(f"unsupported schema reference {ref!r}")
            node = schema["definitions"][ref.removeprefix("#/definitions/")]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def _node(schema: Mapping[str, Any], path: JsonPath) -> Mapping[str, Any]:
    """The schema node describing the value at path (keys, and any int for a list's items)."""
    node: Mapping[str, Any] = schema
    for step in path:
        node = _resolve(schema, node)
        node = node["items"] if isinstance(step, int) else node["properties"][step]
    return node


def _item_ref(schema: Mapping[str, Any], path: JsonPath) -> str:
    """The ``$ref`` naming the schema definition of the items of the array at path."""
    node = _resolve(schema, _node(schema, path))
    ref = node.get("items", {}).get("$ref")
    if not isinstance(ref, str):
        raise OscalError(f"the schema does not describe an array of definitions at {'/'.join(map(str, path))}")
    return ref


@functools.cache
def item_definition(model: str, version: str, path: JsonPath) -> str:
    """The schema definition (``$ref``) of the items of the array at path in a model's documents."""
    return _item_ref(_schema(model, version), path)


@functools.cache
def same_items(version: str, first: tuple[str, JsonPath], second: tuple[str, JsonPath]) -> bool:
    """Whether the items of two arrays (model, path) are validated by the same schema, ``$id`` aside.

    Each model's schema carries its own copy of the shared definitions under its own names
    (``oscal-ar-oscal-assessment-common:observation`` and ``oscal-poam-...``); the copies are
    compared structurally, following ``$ref`` in both schemas together.
    """
    schemas = (_schema(first[0], version), _schema(second[0], version))
    seen: set[tuple[str, str]] = set()

    def definition(index: int, ref: str) -> Any:
        return schemas[index]["definitions"][ref.removeprefix("#/definitions/")]

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            if "$ref" in a:
                pair = (a["$ref"], b["$ref"])
                if pair not in seen:
                    seen.add(pair)
                    if not same(definition(0, pair[0]), definition(1, pair[1])):
                        return False
            return all(same(a[key], b[key]) for key in a if key not in ("$ref", "$id"))
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return bool(a == b)

    return same(
        {"$ref": item_definition(first[0], version, first[1])}, {"$ref": item_definition(second[0], version, second[1])}
    )


@functools.cache
def item_validator(model: str, version: str, path: JsonPath) -> Any:
    """The validator of the items of the array at path (list positions given as 0) in a model's documents."""
    schema = _schema(model, version)
    ref = _item_ref(schema, path)
    return jsonschema_rs.validator_for(
        {"$schema": schema["$schema"], "definitions": schema["definitions"], "allOf": [{"$ref": ref}]}
    )


@functools.cache
def values_validator(model: str, version: str, path: JsonPath) -> Any:
    """A validator of a list of values that each sit at path (a leaf: a uuid, a token) in a model's documents."""
    schema = _schema(model, version)
    return jsonschema_rs.validator_for(
        {
            "$schema": schema["$schema"],
            "definitions": schema["definitions"],
            "type": "array",
            "items": _node(schema, path),
        }
    )


def check_item(validator: Any, model: str, version: str, path: JsonPath, item: Any) -> None:
    """Raise OscalValidationError, naming path, unless validator (from ``item_validator``) accepts item."""
    if not validator.is_valid(item):
        _fail(validator, model, version, path, item)


def _fail(validator: Any, model: str, version: str, path: JsonPath, item: Any) -> None:
    where = "/" + "/".join(map(str, path))
    errors = [
        f"{where}/*/" + "/".join(map(str, e.instance_path)) + f": {e.message}" for e in validator.iter_errors(item)
    ]
    raise OscalValidationError(
        f"the {model} document is not valid OSCAL {version}: " + "; ".join(errors[:MAX_ERRORS]), errors
    )


def write(
    document: JsonDict,
    out: BinaryWriter,
    *,
    version: str | None = None,
    check: bool = True,
    on_item: jsonstream.ItemWritten | None = None,
) -> None:
    """Serialise a skeleton to out, streams item by item; with check, validate everything written.

    ``version`` is the OSCAL version to validate against (default: the document's declared one).
    Raises OscalValidationError before anything invalid is written; out may then hold a prefix.
    ``on_item`` receives each streamed item and its bytes once written (``jsonstream.write``).
    """
    model = model_of(document)
    version = check_version(version or declared_version(document))

    def skeleton(doc: JsonDict) -> None:
        # The skeleton with each stream's first item: every field outside the streams is checked here.
        check_document(doc, version)

    validators: dict[JsonPath, Any] = {}

    def item(path: JsonPath, value: JsonDict) -> None:
        # One validator per array, looked up once per item (hundreds of thousands of items).
        validator = validators.get(path)
        if validator is None:
            validator = validators[path] = item_validator(
                model, version, tuple(p if isinstance(p, str) else 0 for p in path)
            )
        check_item(validator, model, version, path, value)

    with paused_gc():
        jsonstream.write(
            document,
            out,
            check_skeleton=skeleton if check else None,
            check_item=item if check else None,
            on_item=on_item,
        )


def dumps(document: JsonDict, *, version: str | None = None, check: bool = True) -> bytes:
    """The serialised document as bytes (small documents, tests)."""
    buffer = io.BytesIO()
    write(document, buffer, version=version, check=check)
    return buffer.getvalue()
