"""Fixtures of the report tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nhi_evidence.model import Assessment
from tests.report.builder import build_assessment


@pytest.fixture
def make_assessment() -> Callable[..., Assessment]:
    """The organisation builder, as a fixture."""
    return build_assessment
