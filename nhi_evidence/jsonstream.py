r"""Writing large JSON documents whose big arrays are produced item by item.

At 10,000 repositories the JSON contract and the OSCAL assessment results hold hundreds of
thousands of records; built whole as one dict and serialised as one string they need gigabytes. A
document is therefore built as a *skeleton*: ordinary dicts and lists, where each large array is a
``Stream`` (a function that yields the items). ``write`` serialises the skeleton, then each
streamed array one item at a time, so memory holds one item at a time whatever the document's size.

An empty stream leaves its key out, unless it is marked ``keep_empty``. The bytes equal those of
the document with every stream expanded (``materialise``) serialised with
two-space indentation, as ``json.dumps(doc, indent=2, ensure_ascii=False) + "\n"`` would give (tests
check both). Serialisation uses pydantic-core's encoder: the standard library falls back to its
pure-Python encoder whenever ``indent`` is set.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pydantic_core

from nhi_evidence.sinks import BinaryWriter

#: Path of an array inside a document (keys and list positions).
JsonPath = tuple[str | int, ...]
#: Called with a stream's path and one of its items (not the first) before the item is written.
ItemCheck = Callable[[JsonPath, Any], None]
#: Called with a stream's path, an item and its bytes (indented from column 0) once it is written.
ItemWritten = Callable[[JsonPath, Any, bytes], None]
#: Start of the placeholder marking where a stream's items go; each write adds a random part, so
#: no value of a document (which may come from a hostile file) can pose as a placeholder.
_MARK = "\x00nhi-evidence-stream:"


@dataclass(frozen=True)
class Stream:
    """A large array of a document, produced on demand (may be called more than once)."""

    items: Callable[[], Iterable[Any]]
    """Yields the array's items in document order."""
    keep_empty: bool = False
    """Write ``[]`` when there are no items; by default the key is left out (OSCAL arrays need an item)."""


@dataclass(frozen=True, slots=True)
class Raw:
    """A stream item already serialised (two-space indentation from column 0) and already checked.

    A document that repeats items of another (the POA&M repeats observations and risks of the
    assessment results) writes the bytes recorded when they were first written (``on_item``); the
    component definition assembles each component from requirement lists validated and serialised
    once for every identity sharing them.
    """

    data: bytes


def streams(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, dict[str, Any], str, Stream]]:
    """Every stream in a skeleton: (path of the array, parent dict, key, stream), in document order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, Stream):
                yield (*path, key), node, key, value
            else:
                yield from streams(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from streams(value, (*path, index))


def copy_containers(node: Any) -> Any:
    """A copy of the dicts and lists of a skeleton (streams and leaves shared)."""
    if isinstance(node, dict):
        return {key: copy_containers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [copy_containers(value) for value in node]
    return node


def materialise(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every stream expanded into a list (an empty stream drops its key)."""
    out: dict[str, Any] = copy_containers(document)
    for _, parent, key, stream in list(streams(out)):
        items = [json.loads(item.data) if type(item) is Raw else item for item in stream.items()]
        if items or stream.keep_empty:
            parent[key] = items
        else:
            del parent[key]
    return out


#: Returned by next() on an empty stream.
_NOTHING = object()


def _serialised(item: Any) -> bytes:
    """An item's bytes indented from column 0."""
    return item.data if type(item) is Raw else pydantic_core.to_json(item, indent=2)


def write(
    document: dict[str, Any],
    out: BinaryWriter,
    *,
    check_skeleton: Callable[[dict[str, Any]], None] | None = None,
    check_item: ItemCheck | None = None,
    on_item: ItemWritten | None = None,
) -> None:
    """Serialise a skeleton to out, streams item by item.

    ``check_skeleton`` receives the skeleton with each non-empty stream replaced by a list of its
    first item, before anything is written; ``check_item`` receives every later item before it is
    written (``Raw`` items, checked when first written, are not checked again). Either may raise
    to stop the output (out then holds a prefix of the document). ``on_item`` receives every item
    of every stream with its bytes, once written.
    """
    skeleton: dict[str, Any] = copy_containers(document)
    mark = f"{_MARK}{secrets.token_hex(16)}:"
    pending: list[tuple[JsonPath, str, Iterator[Any], Any]] = []
    for path, parent, key, stream in list(streams(skeleton)):
        iterator = iter(stream.items())
        first = next(iterator, _NOTHING)
        if first is _NOTHING:
            if stream.keep_empty:
                parent[key] = []
            else:
                del parent[key]
            continue
        name = f"{mark}{len(pending)}"
        parent[key] = [json.loads(first.data) if type(first) is Raw else first]
        pending.append((path, name, iterator, first))
    if check_skeleton is not None:
        check_skeleton(skeleton)
    for path, name, _, _ in pending:
        node: Any = skeleton
        for step in path:
            node = node[step]
        node[:] = [name]
    text = pydantic_core.to_json(skeleton, indent=2) + b"\n"
    position = 0
    for path, name, iterator, first in pending:
        # The marker is a whole line of the serialised skeleton: its indentation is the items'.
        marker = pydantic_core.to_json(name)
        at = text.index(marker, position)
        line_start = text.rindex(b"\n", 0, at) + 1
        indent = text[line_start:at]
        newline = b"\n" + indent
        out.write(text[position:line_start])
        data = _serialised(first)
        out.write(indent + data.replace(b"\n", newline))
        if on_item is not None:
            on_item(path, first, data)
        for item in iterator:
            if check_item is not None and type(item) is not Raw:
                check_item(path, item)
            data = _serialised(item)
            out.write(b",\n" + indent + data.replace(b"\n", newline))
            if on_item is not None:
                on_item(path, item, data)
        position = at + len(marker)
    out.write(text[position:])
