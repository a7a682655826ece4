"""Credential detection, fingerprinting and redaction.

Every value a collector reads passes through ``redact_document`` before it is kept: secret values are
replaced by a redacted marker holding a fingerprint (the first characters, which name the token type,
and a short SHA-256 prefix), so that no output, log or pack ever holds a secret in clear while two
sightings of the same credential can still be matched.

Detection combines provider prefixes (a curated, tested pattern set) with a key-name rule: a literal,
high-entropy value under a key that names a credential (``API_KEY``, ``token``, ``Authorization``...)
is a secret even without a known prefix. References are never secrets: ``${VAR}``, ``${VAR:-x}``,
``$VAR``, ``${input:x}``, ``${env:X}``, ``${workspaceFolder}``, ``${{ secrets.X }}``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: (detector id, compiled pattern). The whole match is the secret unless the pattern has a group
#: named ``secret``. Order matters: more specific prefixes first.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("github-fine-grained-pat", r"github_pat_[A-Za-z0-9_]{22,255}"),
        ("github-token", r"gh[pousr]_[A-Za-z0-9]{30,255}"),
        ("anthropic-api-key", r"sk-ant-[A-Za-z0-9]{2,10}-[A-Za-z0-9_\-]{20,}"),
        ("openrouter-api-key", r"sk-or-v1-[a-f0-9]{32,}"),
        ("openai-api-key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
        ("aws-access-key-id", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        ("slack-token", r"xox[abposr]-[A-Za-z0-9\-]{10,}"),
        ("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}"),
        ("google-api-key", r"AIza[0-9A-Za-z_\-]{35}"),
        ("gitlab-token", r"glpat-[A-Za-z0-9_\-]{20,}"),
        ("npm-token", r"npm_[A-Za-z0-9]{36}"),
        ("huggingface-token", r"hf_[A-Za-z0-9]{30,}"),
        ("stripe-secret-key", r"[rs]k_live_[A-Za-z0-9]{20,}"),
        ("supabase-token", r"sbp_[a-f0-9]{40}"),
        ("notion-token", r"(?:ntn_|secret_)[A-Za-z0-9]{40,}"),
        ("linear-api-key", r"lin_api_[A-Za-z0-9]{32,}"),
        ("private-key", r"-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----"),
        ("jwt", r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
        ("url-credentials", r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@\"']+:(?P<secret>[^/\s@\"'$]{3,})@"),
        ("bearer-token", r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9_\-.=+/]{16,})"),
    )
)

#: Key names whose literal values are credentials (matched case-insensitively on the whole key).
SECRET_KEY = re.compile(
    r"(?i)(?:^|[_\-.])(?:api[_\-]?key|apikey|token|secret|password|passwd|pwd|auth|authorization|"
    r"access[_\-]?key|private[_\-]?key|client[_\-]?secret|credentials?|bearer|cookie|session[_\-]?key)(?:$|[_\-.])"
    r"|^x-[a-z\-]*(?:key|token)$"
)

#: Values that are references or placeholders, never secrets.
REFERENCE = re.compile(
    r"""^\s*(?:
        \$\{\{\s*[^}]*\}\}            # GitHub Actions expression ${{ secrets.X }}
      | \$\{[^}]*\}                   # ${VAR}, ${VAR:-x}, ${input:x}, ${env:X}, ${workspaceFolder}
      | \$[A-Za-z_][A-Za-z0-9_]*      # $VAR
      | %[A-Za-z_][A-Za-z0-9_]*%      # %VAR% (Windows)
      | \{\{[^}]*\}\}                 # template placeholders {{ var }}
      | env:[A-Za-z_][A-Za-z0-9_]*    # env:VAR
    )\s*$""",
    re.VERBOSE,
)
PLACEHOLDER = re.compile(
    r"(?i)^(?:<[^>]*>|\[[^\]]*\]|x{3,}|\*{3,}|\.{3,}|your[_\- ].*|.*[_\- ]here|changeme|example.*|dummy.*|"
    r"test|none|null|true|false|redacted.*|placeholder.*|todo|tbd|sk-\.\.\.|.*\.\.\.)$"
)
#: Markers written by this module; already redacted text must not be fingerprinted again.
MARKER = re.compile(r"\[redacted [a-z0-9\-]+ [^\]]{1,24}\]")


@dataclass(frozen=True)
class SecretHit:
    """A credential found in a collected document, described without its value."""

    detector: str
    """Which rule matched (github-token, openai-api-key, key-name, ...)."""
    fingerprint: str
    """First characters and a short SHA-256 prefix: enough to match sightings, not to use the secret."""
    pointer: str
    """JSON pointer to the value in the parsed document ("" for a bare string)."""
    key: str = ""
    """The key or variable name the value sat under, when there was one."""


def fingerprint(secret: str) -> str:
    """Fingerprint a secret: its first characters (at most 4, fewer for short values) and 8 hex of SHA-256."""
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    keep = 4 if len(secret) >= 16 else (2 if len(secret) >= 8 else 0)
    return f"{secret[:keep]}...{digest}"


def marker(detector: str, secret: str) -> str:
    """The text that replaces a secret in redacted documents."""
    return f"[redacted {detector} {fingerprint(secret)}]"


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of value."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_reference(value: str) -> bool:
    """True when value only refers to a secret kept elsewhere (an environment variable, an input...)."""
    return bool(REFERENCE.match(value))


def _looks_like_literal_secret(value: str) -> bool:
    stripped = value.strip()
    if len(stripped) < 12 or len(stripped) > 4096 or " " in stripped:
        return False
    if is_reference(stripped) or PLACEHOLDER.match(stripped) or MARKER.search(stripped):
        return False
    if stripped.startswith(("/", "./", "~/", "http://", "https://")) and "@" not in stripped:
        return False
    classes = sum(bool(re.search(pattern, stripped)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and shannon_entropy(stripped) >= 3.0


def find_secrets(value: str, key: str = "") -> list[tuple[str, int, int]]:
    """Find credentials in one string: (detector, start, end) spans, not overlapping, in order.

    ``key`` is the name the value sat under (an env variable, a header, a YAML key); a literal,
    high-entropy value under a credential-like key is reported as detector ``key-name``.
    """
    if not value or MARKER.fullmatch(value):
        return []
    spans: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for detector, pattern in PATTERNS:
        for match in pattern.finditer(value):
            if "secret" in pattern.groupindex and match.group("secret") is not None:
                start, end = match.span("secret")
            else:
                start, end = match.span()
            secret_text = value[start:end]
            if is_reference(secret_text) or MARKER.search(value[max(0, start - 10) : end + 30]):
                continue
            if any(start < e and s < end for s, e in taken):
                continue
            spans.append((detector, start, end))
            taken.append((start, end))
    if not spans and key and SECRET_KEY.search(key) and _looks_like_literal_secret(value):
        stripped = value.strip()
        start = value.index(stripped)
        spans.append(("key-name", start, start + len(stripped)))
    spans.sort(key=lambda item: item[1])
    return spans


def redact_string(value: str, key: str = "") -> tuple[str, list[tuple[str, str]]]:
    """Return value with every secret replaced by its marker, and the (detector, fingerprint) pairs found."""
    spans = find_secrets(value, key)
    if not spans:
        return value, []
    parts: list[str] = []
    found: list[tuple[str, str]] = []
    last = 0
    for detector, start, end in spans:
        secret = value[start:end]
        parts.append(value[last:start])
        parts.append(marker(detector, secret))
        found.append((detector, fingerprint(secret)))
        last = end
    parts.append(value[last:])
    return "".join(parts), found


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def redact_document(data: Any, pointer: str = "", key: str = "") -> tuple[Any, list[SecretHit]]:
    """Return a redacted copy of a parsed document and every secret found, with its JSON pointer.

    Keys are checked as well as values (a secret used as a key is still a secret). Strings that hold
    JSON (escaped JSON inside args) are scanned as text, which finds the prefixed tokens inside them.
    """
    hits: list[SecretHit] = []

    def walk(node: Any, here: str, name: str) -> Any:
        if isinstance(node, str):
            redacted, found = redact_string(node, name)
            hits.extend(SecretHit(detector, fp, here, name) for detector, fp in found)
            return redacted
        if isinstance(node, dict):
            out: dict[Any, Any] = {}
            for k, v in node.items():
                key_text = k if isinstance(k, str) else str(k)
                new_key, key_found = redact_string(key_text)
                child = f"{here}/{_escape_pointer(new_key)}"
                hits.extend(SecretHit(detector, fp, child, "") for detector, fp in key_found)
                out[new_key if isinstance(k, str) else k] = walk(v, child, key_text)
            return out
        if isinstance(node, list):
            return [walk(item, f"{here}/{index}", name) for index, item in enumerate(node)]
        return node

    return walk(data, pointer, key), hits


def iter_strings(data: Any) -> Iterator[str]:
    """Every string (keys and values) in a parsed document."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str):
                    yield k
                stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
