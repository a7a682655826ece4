"""jsonstream: a skeleton with streams writes the bytes of the whole document, item by item."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from nhi_evidence.jsonstream import Raw, Stream, materialise, write


def _written(document: dict[str, Any], **checks: Any) -> bytes:
    buffer = io.BytesIO()
    write(document, buffer, **checks)
    return buffer.getvalue()


def test_streams_anywhere_give_the_standard_library_bytes() -> None:
    odd = 'é \u2028 \x7f \x01 "q" / \\ 😀 \x00nhi-evidence-stream:0'
    # A value of the skeleton itself that looks like a placeholder is written as it is.
    posing = "\x00nhi-evidence-stream:0"
    document: dict[str, Any] = {
        "posing": posing,
        "top": Stream(lambda: iter([{"a": odd}, {"b": [1, 2.5, True, None, [], {}]}])),
        "nested": [{"inner": Stream(lambda: iter([1, "two", {"three": [3]}]))}, {"plain": []}],
        "empty": Stream(lambda: iter([])),
        "after": {"deep": {"deeper": Stream(lambda: iter([odd]))}},
    }
    expected = json.dumps(materialise(document), indent=2, ensure_ascii=False) + "\n"
    assert _written(document).decode("utf-8") == expected
    assert "empty" not in json.loads(expected)


def test_checks_see_the_skeleton_with_first_items_then_every_later_item() -> None:
    seen: list[Any] = []
    skeletons: list[Any] = []
    document = {"items": Stream(lambda: iter([{"n": 1}, {"n": 2}, {"n": 3}]))}
    _written(
        document,
        check_skeleton=lambda s: skeletons.append(json.loads(json.dumps(s))),
        check_item=lambda path, item: seen.append((path, item)),
    )
    assert skeletons == [{"items": [{"n": 1}]}]
    assert seen == [(("items",), {"n": 2}), (("items",), {"n": 3})]


def test_a_failing_item_check_stops_before_the_item_is_written() -> None:
    def refuse(path: Any, item: Any) -> None:
        if item == {"n": 2}:
            raise ValueError("bad item")

    buffer = io.BytesIO()
    with pytest.raises(ValueError, match="bad item"):
        write({"items": Stream(lambda: iter([{"n": 1}, {"n": 2}]))}, buffer, check_item=refuse)
    assert b'"n": 2' not in buffer.getvalue()


def test_an_empty_stream_marked_keep_empty_writes_an_empty_list() -> None:
    document: dict[str, Any] = {"kept": Stream(lambda: iter([]), keep_empty=True), "dropped": Stream(lambda: iter([]))}
    assert json.loads(_written(document)) == {"kept": []}
    assert materialise(document) == {"kept": []}
    assert _written(document).decode("utf-8") == json.dumps({"kept": []}, indent=2) + "\n"


def test_raw_items_are_written_as_recorded_and_not_checked_again() -> None:
    recorded: list[tuple[Any, Any, bytes]] = []
    source = {"items": Stream(lambda: iter([{"n": 1}, {"n": [2, "é"]}]))}
    first = _written(source, on_item=lambda path, item, data: recorded.append((path, item, data)))
    # on_item saw every item, the first included, with its bytes from column 0.
    assert [(path, item) for path, item, _ in recorded] == [(("items",), {"n": 1}), (("items",), {"n": [2, "é"]})]
    assert recorded[1][2] == json.dumps({"n": [2, "é"]}, indent=2, ensure_ascii=False).encode("utf-8")
    # Another document nested deeper writes the recorded bytes, re-indented: the same bytes as its items.
    raws = [Raw(data) for _, _, data in recorded]
    checked: list[Any] = []
    skeletons: list[Any] = []
    nested = {"outer": {"items": Stream(lambda: iter(raws))}}
    again = _written(
        nested,
        check_skeleton=lambda s: skeletons.append(json.loads(json.dumps(s))),
        check_item=lambda path, item: checked.append(item),
    )
    assert again == _written({"outer": {"items": Stream(lambda: iter([{"n": 1}, {"n": [2, "é"]}]))}})
    assert json.loads(first) == {"items": [{"n": 1}, {"n": [2, "é"]}]}
    # The skeleton check sees the first raw item parsed; later raw items are not checked again.
    assert skeletons == [{"outer": {"items": [{"n": 1}]}}]
    assert checked == []
    assert materialise(nested) == {"outer": {"items": [{"n": 1}, {"n": [2, "é"]}]}}
