"""Reading rendered reports back: PDF text per section (through the outline) and control statuses."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

STATUS_WORDS = {
    "Not satisfied": "not-satisfied",
    "Not assessed": "not-assessed",
    "Not applicable": "not-applicable",
    "Satisfied": "satisfied",
}
_STATUS = re.compile("|".join(STATUS_WORDS))


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def outline_pages(reader: PdfReader) -> dict[str, int]:
    """Top-level bookmark title -> 0-based page index."""
    out: dict[str, int] = {}
    for item in reader.outline:
        if isinstance(item, list):
            continue
        page = reader.get_destination_page_number(item)
        if page is not None:
            out[str(item.title)] = page
    return out


def section_text(reader: PdfReader, title: str) -> str:
    """Text of the pages from the section's bookmark to the next top-level bookmark's page (inclusive)."""
    pages = outline_pages(reader)
    starts = sorted(pages.values())
    start = pages[title]
    later = [p for p in starts if p > start]
    end = later[0] if later else len(reader.pages) - 1
    return "\n".join(reader.pages[i].extract_text() for i in range(start, end + 1))


def statuses_from_text(text: str, control_ids: list[str]) -> dict[str, str]:
    """Control id -> status, reading the control tables in catalog order.

    Each row starts with the control id; the first status label after it is the row's status badge.
    """
    found: dict[str, str] = {}
    position = 0
    for control_id in control_ids:
        match = re.compile(r"(?<![\w.-])" + re.escape(control_id) + r"(?![\w-])").search(text, position)
        if match is None:
            continue
        status = _STATUS.search(text, match.end())
        if status is None:
            continue
        found[control_id] = STATUS_WORDS[status.group(0)]
        position = match.end()
    return found


def pdf_text(content: bytes) -> str:
    reader = pdf_reader(content)
    return "\n".join(page.extract_text() for page in reader.pages)


def expected_statuses(control_results: Any, framework: str) -> dict[str, str]:
    return {r.control_id: r.status.value for r in control_results if r.framework == framework}
