"""The JSON contract: fast encoding gives the standard library's bytes, and documents read back."""

from __future__ import annotations

import json

from nhi_test_support import EXAMPLES

from nhi_evidence.clock import fixed_clock, parse_instant
from nhi_evidence.pipeline import ScanRequest, assess
from nhi_evidence.serialize import dumps, from_dict, to_dict

NOW = fixed_clock(parse_instant("2026-11-25T12:00:00Z"))


def test_dumps_equals_the_standard_library_encoding_and_reads_back() -> None:
    assessment = assess(ScanRequest(roots=(EXAMPLES / "acme",), options={"home": str(EXAMPLES / "home")}), NOW)
    text = dumps(assessment)
    assert text == json.dumps(to_dict(assessment), indent=2, ensure_ascii=False) + "\n"
    again = from_dict(json.loads(text), list(assessment.frameworks))
    assert dumps(again) == text
    assert len(again.findings) == len(assessment.findings) > 100


def test_streamed_write_gives_the_same_bytes_and_keeps_empty_lists() -> None:
    import io

    from nhi_evidence.serialize import write

    assessment = assess(ScanRequest(roots=(EXAMPLES / "acme",)), NOW)
    buffer = io.BytesIO()
    write(assessment, buffer)
    assert buffer.getvalue().decode("utf-8") == dumps(assessment)
    # An assessment with nothing found keeps its empty arrays (a stream would drop the key).
    empty = assess(ScanRequest(roots=(EXAMPLES / "acme" / "no-such-repo",)), NOW)
    buffer = io.BytesIO()
    write(empty, buffer)
    doc = json.loads(buffer.getvalue())
    assert (doc["subjects"], doc["findings"], doc["evidence"]) == ([], [], [])
    assert buffer.getvalue().decode("utf-8") == dumps(empty)
