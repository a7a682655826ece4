"""Parsers: real formats, errors that name the problem and never quote the file."""

from __future__ import annotations

import codecs

import pytest

from nhi_evidence.parsing import ParseError, find_line, parse_json, parse_jsonc, parse_toml, parse_yaml

SECRET = "ghp_CANARYaaaaBBBBccccDDDDeeeeFFFFgggg1234"


@pytest.mark.parametrize(
    ("parser", "raw", "expected"),
    [
        (parse_json, b'{"a": 1}', {"a": 1}),
        (parse_json, codecs.BOM_UTF8 + b'{"a": 1}', {"a": 1}),
        (parse_json, b'{\r\n"a": "x"\r\n}', {"a": "x"}),
        (parse_json, '{"a": 2}'.encode("utf-16"), {"a": 2}),
        (
            parse_jsonc,
            b'{\n  // comment\n  "a": [1, 2,],\n  /* block */ "b": {"c": 3,},\n}',
            {"a": [1, 2], "b": {"c": 3}},
        ),
        (parse_yaml, b'on:\n  push: {}\nx: |\n  {"a": 1}\n', {True: {"push": {}}, "x": '{"a": 1}\n'}),
        (
            parse_toml,
            b"[mcp_servers.\"my-server\"]\ncommand = 'npx'\n[[a.b]]\nc = 1\n",
            {"mcp_servers": {"my-server": {"command": "npx"}}, "a": {"b": [{"c": 1}]}},
        ),
    ],
)
def test_valid_documents_parse(parser, raw: bytes, expected) -> None:
    assert parser(raw) == expected


@pytest.mark.parametrize(
    ("parser", "raw", "message", "line"),
    [
        (parse_json, b"", "file is empty", None),
        (parse_json, b'{"a": 1,}', "invalid JSON", 1),
        (parse_json, b'{\n"token": "' + SECRET.encode() + b'" x}', "invalid JSON", 2),
        (parse_json, b'{"a": "\xff\xfe"}', "invalid UTF-8", 1),
        (parse_jsonc, b'{\n"token": "' + SECRET.encode() + b'" oops}', "invalid JSON", 2),
        (parse_yaml, b"a: [\nb: " + SECRET.encode() + b"\n", "invalid YAML", None),
        (parse_yaml, b"key: value\n  bad: " + SECRET.encode() + b"\n", "invalid YAML", 2),
        (parse_toml, b'token = "' + SECRET.encode() + b'"\ntoken = "x"\n', "invalid TOML", 2),
    ],
)
def test_errors_name_the_problem_without_quoting_content(parser, raw: bytes, message: str, line) -> None:
    with pytest.raises(ParseError) as caught:
        parser(raw)
    assert message in caught.value.message
    assert SECRET not in str(caught.value)
    assert SECRET[4:20] not in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(
            f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
    with pytest.raises(ParseError, match="alias expansion"):
        parse_yaml("\n".join(lines).encode())


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ParseError, match="nested"):
        parse_json(b"[" * 5000 + b"]" * 5000)
    with pytest.raises(ParseError, match="nest"):
        parse_yaml(b"[" * 5000 + b"]" * 5000)


def test_find_line_locates_first_needle() -> None:
    text = 'line one\n  "defaultMode": "bypassPermissions"\n'
    assert find_line(text, "absent", '"defaultMode"') == 2
    assert find_line(text, "absent") is None
