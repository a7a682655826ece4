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
