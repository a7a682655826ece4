"""Parsers for the file formats assistants use, with errors that never echo file content.

Every parser takes the raw bytes of a file and returns the parsed document or raises ``ParseError``
with a message fit for a user (what is wrong and the line where the parser stopped) and nothing of
the file's text, because files hold secrets and error messages reach terminals, logs and packs.

Formats:
- ``json``: strict JSON (RFC 8259), as tools that use a strict parser read it.
- ``jsonc``: JSON with comments and trailing commas, as VS Code, Cursor and Gemini CLI read it.
  NOTE: parsed with pyjson5 (JSON5 is a superset of JSONC); https://code.visualstudio.com/docs/languages/json#_json-with-comments
- ``yaml``: YAML with PyYAML's C loader where available (safe loader; no arbitrary tags).
- ``toml``: TOML 1.0 with the standard library's tomllib.
"""

from __future__ import annotations

import codecs
import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

import pyjson5
import yaml

#: Largest number of container nodes a parsed document may hold. YAML aliases can make a small file
#: expand into an enormous tree ("billion laughs"); walking such a tree must stop early.
MAX_NODES = 200_000

#: Deepest nesting accepted; deeper documents are refused before anything walks them recursively.
MAX_DEPTH = 200

_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParseError(ValueError):
    """A file could not be parsed; ``message`` names the problem without quoting the file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode_text(raw: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM, or UTF-16 with BOM) and normalise line endings.

    Raises ParseError for invalid UTF-8, naming the byte offset and line rather than the content.
    """
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16 at byte {exc.start}") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ParseError(f"invalid UTF-8 at byte {exc.start} (line {line})", line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


def check_depth_and_size(data: Any) -> None:
    """Refuse documents nested deeper than MAX_DEPTH or holding more than MAX_NODES containers.

    Shared references (YAML aliases) are counted each time they are reached, as any later walk
    would reach them, so an alias bomb is refused here in bounded time.
    """
    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        budget -= 1
        if budget < 0:
            raise ParseError(f"document expands to more than {MAX_NODES} nested values (YAML alias expansion?)")
        if depth >= MAX_DEPTH:
            raise ParseError(f"document is nested more than {MAX_DEPTH} levels deep")
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))


def parse_json(raw: bytes) -> Any:
    """Parse strict JSON."""
    text = decode_text(raw)
    if not text.strip():
        raise ParseError("file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", exc.lineno) from None
    except RecursionError:
        raise ParseError(f"document is nested more than {MAX_DEPTH} levels deep") from None
    check_depth_and_size(data)
    return data


_JSON5_POS = re.compile(r"near (\d+)")


def parse_jsonc(raw: bytes) -> Any:
    """Parse JSON with comments and trailing commas (tries strict JSON first: it is faster)."""
    text = decode_text(raw)
    if not text.strip():
        raise ParseError("file is empty")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        try:
            data = pyjson5.decode(text)
        except Exception as exc:  # noqa: BLE001 - pyjson5 raises several classes; args may hold partial data
            first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
            match = _JSON5_POS.search(first)
            line = _line_of(text, int(match.group(1))) if match else None
            where = f" at line {line}" if line else ""
            raise ParseError(f"invalid JSON (comments and trailing commas allowed){where}", line) from None
    check_depth_and_size(data)
    return data


def parse_yaml(raw: bytes) -> Any:
    """Parse one YAML document with the safe (C-accelerated where available) loader."""
    text = decode_text(raw)
    if not text.strip():
        raise ParseError("file is empty")
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader class
    except yaml.MarkedYAMLError as exc:
        # NOTE: str(exc) quotes the offending line; only the problem and its position are kept.
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        where = f" at line {line}" if line else ""
        raise ParseError(f"invalid YAML: {problem}{where}", line) from None
    except yaml.YAMLError:
        raise ParseError("invalid YAML") from None
    except RecursionError:
        raise ParseError(f"document is nested more than {MAX_DEPTH} levels deep") from None
    check_depth_and_size(data)
    return data


def parse_toml(raw: bytes) -> Any:
    """Parse TOML 1.0."""
    text = decode_text(raw)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib messages name the position ("... (at line 3, column 7)") and never the content.
        match = re.search(r"line (\d+)", str(exc))
        raise ParseError(f"invalid TOML: {exc}", int(match.group(1)) if match else None) from None
    except RecursionError:
        raise ParseError(f"document is nested more than {MAX_DEPTH} levels deep") from None
    check_depth_and_size(data)
    return data


def parse_text(raw: bytes) -> str:
    """Decode a text file (Markdown instructions and similar)."""
    return decode_text(raw)


#: Parser per format name, for collectors that declare the format of each source.
PARSERS: dict[str, Callable[[bytes], Any]] = {
    "json": parse_json,
    "jsonc": parse_jsonc,
    "yaml": parse_yaml,
    "toml": parse_toml,
    "text": parse_text,
}

#: Media type recorded in Evidence per format name.
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "jsonc": "application/jsonc",
    "yaml": "application/yaml",
    "toml": "application/toml",
    "text": "text/plain",
}


def find_line(text: str, *needles: str) -> int | None:
    """Return the 1-based line of the first needle found in text (searched in order), or None.

    Parsers of JSON, YAML and TOML do not keep positions; findings locate the key or value they
    speak of by its first occurrence in the file's text, which is right for the formats' usual layout.
    """
    for needle in needles:
        if not needle:
            continue
        index = text.find(needle)
        if index >= 0:
            return _line_of(text, index)
    return None
