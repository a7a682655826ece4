"""Making untrusted text safe to show on a terminal.

File names and configuration values come from repositories someone else wrote; a name holding a
newline or an ANSI escape sequence could forge output lines or drive the terminal. Everything a
command prints that came from scanned content goes through ``printable``.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Return text with control characters (C0, C1, bidi overrides, line separators) shown as escapes."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
