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
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: (detector id, compiled pattern). The whole match is the secret unless the pattern has a group
#: named ``secret``. Order matters: more specific prefixes first. Every prefix is anchored on the left
#: (``(?<![A-Za-z0-9])``) so that a word merely containing it ("task-manager...") is not read as a key.
#: Each pattern has a positive and a negative case in tests/test_secretscan.py.
_L = r"(?<![A-Za-z0-9_\-])"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("github-fine-grained-pat", _L + r"github_pat_[A-Za-z0-9_]{22,255}"),
        ("github-token", _L + r"gh[pousr]_[A-Za-z0-9]{30,255}"),
        ("anthropic-api-key", _L + r"sk-ant-[A-Za-z0-9]{2,10}-[A-Za-z0-9_\-]{20,}"),
        ("openrouter-api-key", _L + r"sk-or-v1-[a-f0-9]{32,}"),
        ("openai-api-key", _L + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
        ("aws-access-key-id", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        ("slack-token", _L + r"xox[abposr]-[A-Za-z0-9\-]{10,}"),
        ("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}"),
        ("google-api-key", _L + r"AIza[0-9A-Za-z_\-]{35}"),
        ("google-oauth-token", _L + r"ya29\.[0-9A-Za-z_\-]{20,}"),
        ("gitlab-token", _L + r"glpat-[A-Za-z0-9_\-]{20,}"),
        ("npm-token", _L + r"npm_[A-Za-z0-9]{36}"),
        ("huggingface-token", _L + r"hf_[A-Za-z0-9]{30,}"),
        ("stripe-secret-key", _L + r"[rs]k_live_[A-Za-z0-9]{20,}"),
        ("supabase-token", _L + r"sbp_[a-f0-9]{40}"),
        ("neon-api-key", _L + r"napi_[a-z0-9]{40,}"),
        ("figma-token", _L + r"figd_[A-Za-z0-9_\-]{30,}"),
        ("perplexity-api-key", _L + r"pplx-[A-Za-z0-9]{40,}"),
        ("groq-api-key", _L + r"gsk_[A-Za-z0-9]{40,}"),
        ("xai-api-key", _L + r"xai-[A-Za-z0-9]{60,}"),
        ("tavily-api-key", _L + r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{24,}"),
        ("sendgrid-api-key", _L + r"SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"),
        ("digitalocean-token", _L + r"do[opr]_v1_[a-f0-9]{64}"),
        ("sentry-token", _L + r"sntry[su]_[A-Za-z0-9+/=_]{40,}"),
        ("databricks-token", _L + r"dapi[a-f0-9]{32}"),
        ("atlassian-api-token", _L + r"ATATT3[A-Za-z0-9_\-=]{50,}"),
        ("postman-api-key", _L + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
        ("shopify-token", _L + r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
        ("notion-token", _L + r"(?:ntn_|secret_)[A-Za-z0-9]{40,}"),
        ("linear-api-key", _L + r"lin_api_[A-Za-z0-9]{32,}"),
        ("private-key", r"-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----"),
        ("jwt", _L + r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
        ("url-credentials", r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@\"']+:(?P<secret>[^/\s@\"'$]{3,})@"),
        ("bearer-token", r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9_\-.=+/]{16,})"),
        ("basic-auth", r"(?i)\bbasic\s+(?P<secret>[A-Za-z0-9+/]{16,}={0,2})(?![A-Za-z0-9+/=])"),
    )
)


#: Literal text each pattern's match must contain (lower-cased where the pattern ignores case): a
#: substring test in C is far cheaper than a regular expression search, and most strings hold none.
_LITERALS: dict[str, tuple[str, ...]] = {
    "github-fine-grained-pat": ("github_pat_",),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "anthropic-api-key": ("sk-ant-",),
    "openrouter-api-key": ("sk-or-v1-",),
    "openai-api-key": ("sk-",),
    "aws-access-key-id": ("AKIA", "ASIA", "ABIA", "ACCA"),
    "slack-token": ("xox",),
    "slack-webhook": ("hooks.slack.com",),
    "google-api-key": ("AIza",),
    "google-oauth-token": ("ya29.",),
    "gitlab-token": ("glpat-",),
    "npm-token": ("npm_",),
    "huggingface-token": ("hf_",),
    "stripe-secret-key": ("k_live_",),
    "supabase-token": ("sbp_",),
    "neon-api-key": ("napi_",),
    "figma-token": ("figd_",),
    "perplexity-api-key": ("pplx-",),
    "groq-api-key": ("gsk_",),
    "xai-api-key": ("xai-",),
    "tavily-api-key": ("tvly-",),
    "sendgrid-api-key": ("SG.",),
    "digitalocean-token": ("_v1_",),
    "sentry-token": ("sntry",),
    "databricks-token": ("dapi",),
    "atlassian-api-token": ("ATATT3",),
    "postman-api-key": ("PMAK-",),
    "shopify-token": ("shpat_", "shpca_", "shppa_", "shpss_"),
    "notion-token": ("ntn_", "secret_"),
    "linear-api-key": ("lin_api_",),
    "private-key": ("PRIVATE KEY",),
    "jwt": ("eyJ",),
    "url-credentials": ("://",),
    "bearer-token": ("bearer",),
    "basic-auth": ("basic",),
}
_CASELESS = frozenset({"bearer-token", "basic-auth"})


_LITERAL = re.compile(
    "|".join(
        f"(?i:{re.escape(lit)})" if detector in _CASELESS else re.escape(lit)
        for detector, lits in _LITERALS.items()
        for lit in lits
    )
)
_BY_LITERAL: dict[str, list[str]] = {}
for _detector, _lits in _LITERALS.items():
    for _lit in _lits:
        _BY_LITERAL.setdefault(_lit.lower() if _detector in _CASELESS else _lit, []).append(_detector)


def _candidates(value: str) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns whose literal text occurs in value, in PATTERNS order."""
    seen = {match.group(0) for match in _LITERAL.finditer(value)}
    if not seen:
        return []
    wanted: set[str] = set()
    for text in seen:
        wanted.update(_BY_LITERAL.get(text, ()) or _BY_LITERAL.get(text.lower(), ()))
    return [(detector, pattern) for detector, pattern in PATTERNS if detector in wanted]


#: Detectors whose prefix is short or common enough that the rest must also look random.
_NEEDS_ENTROPY = frozenset({"openai-api-key", "bearer-token", "basic-auth", "tavily-api-key", "sentry-token"})

#: Key names whose literal values are credentials (matched case-insensitively on the whole key, after
#: camelCase is split: ``perplexityApiKey`` -> ``perplexity_Api_Key``).
SECRET_KEY = re.compile(
    r"(?i)(?:^|[_\-.])(?:api[_\-]?key|apikey|token|secret|password|passwd|pwd|auth|authorization|"
    r"access[_\-]?key|private[_\-]?key|client[_\-]?secret|credentials?|bearer|cookie|session[_\-]?key)(?:$|[_\-.])"
    r"|^x-[a-z\-]*(?:key|token)$"
)
#: Keys that name where a credential comes from, not the credential (``bearer_token_env_var = "GH_PAT"``,
#: ``apiKeyHelper``, ``token_file``): their values are never secrets by the key-name rule.
NOT_SECRET_KEY = re.compile(
    r"(?i)(?:^|[_\-.])(?:env|env[_\-]?var|var|variable|name|file|path|helper|command|cmd|url|uri|endpoint|"
    r"type|mode|id|source|header|location|ttl|expiry|expires|length|count|limit|enabled|required|prefix)$"
)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
#: A value that names an environment variable (``GITHUB_PAT``) rather than holding a secret.
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
#: A flag or ``NAME=`` prefix whose following value is a credential (``--access-token X``, ``--api-key=X``).
_FLAG = re.compile(r"^-{1,2}([A-Za-z][A-Za-z0-9_\-.]*)$")
_ASSIGN = re.compile(r"^(-{0,2}[A-Za-z][A-Za-z0-9_\-.]*)=(.+)$", re.DOTALL)

#: Values that are references or placeholders, never secrets.
REFERENCE = re.compile(
    r"""^\s*(?:
        \$\{\{\s*[^}]*\}\}            # GitHub Actions expression ${{ secrets.X }}
      | \$\{[^}]*\}                   # ${VAR}, ${VAR:-x}, ${input:x}, ${env:X}, ${workspaceFolder}
      | \$[A-Za-z_][A-Za-z0-9_]*      # $VAR
      | %[A-Za-z_][A-Za-z0-9_]*%      # %VAR% (Windows)
      | \{\{[^}]*\}\}                 # template placeholders {{ var }}
      | env:[A-Za-z_][A-Za-z0-9_]*    # env:VAR
      | op://\S+                      # 1Password secret reference
    )\s*$""",
    re.VERBOSE,
)
PLACEHOLDER = re.compile(
    r"(?i)^(?:<[^>]*>|\[[^\]]*\]|x{3,}|\*{3,}|\.{3,}|your[_\- ].*|.*[_\- ]here|changeme|example.*|dummy.*|"
    r"test|none|null|true|false|redacted.*|placeholder.*|todo|tbd|sk-\.\.\.|.*\.\.\.)$"
)
#: Words that mark a sample value when they form a whole segment of it (``sk-helios-demo``, ``my_fake_token``).
_SAMPLE_WORDS = frozenset(
    {
        "demo",
        "example",
        "sample",
        "dummy",
        "fake",
        "placeholder",
        "changeme",
        "your",
        "yours",
        "test",
        "testing",
        "xxx",
        "xxxx",
        "redacted",
        "insert",
        "replace",
        "todo",
        "mock",
        "foo",
        "bar",
        "secret",
        "token",
        "key",
        "here",
    }
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


def _is_sample(value: str) -> bool:
    """True when a segment of value is a word that marks sample data (``sk-helios-demo``)."""
    segments = [part.lower() for part in re.split(r"[^A-Za-z0-9]+", value) if part]
    return any(part in _SAMPLE_WORDS for part in segments)


def _looks_like_literal_secret(value: str) -> bool:
    stripped = value.strip()
    if len(stripped) < 12 or len(stripped) > 4096 or " " in stripped:
        return False
    if is_reference(stripped) or PLACEHOLDER.match(stripped) or MARKER.search(stripped):
        return False
    if _ENV_NAME.match(stripped) or _is_sample(stripped):
        return False
    if stripped.startswith(("/", "./", "~/", "http://", "https://")) and "@" not in stripped:
        return False
    if "$" in stripped and re.search(r"\$\{[^}]*\}|\$[A-Za-z_]", stripped):
        return False  # built from a reference (``Bearer ${TOKEN}``, ``$PREFIX-$KEY``)
    classes = sum(bool(re.search(pattern, stripped)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and shannon_entropy(stripped) >= 3.0


@lru_cache(maxsize=8192)
def is_secret_key(key: str) -> bool:
    """True when a key, flag or variable name says its value is a credential.

    camelCase is split first (``perplexityApiKey``); keys that only say where a credential comes
    from (``bearer_token_env_var``, ``apiKeyHelper``, ``token_file``) are not credential keys.
    """
    if not key:
        return False
    split = _CAMEL.sub(r"\1_\2", key.strip().lstrip("-"))
    return bool(SECRET_KEY.search(split)) and not NOT_SECRET_KEY.search(split)


def _plausible(detector: str, text: str) -> bool:
    if detector not in _NEEDS_ENTROPY:
        return True
    body = text.split("-", 1)[-1] if detector == "openai-api-key" else text
    # Short bodies must mix in a digit (random keys almost always do; words joined by dashes do not).
    mixed = bool(re.search(r"[0-9]", body)) or len(body) >= 32
    return mixed and shannon_entropy(body) >= 3.0 and not _is_sample(text)


def find_secrets(value: str, key: str = "") -> list[tuple[str, int, int]]:
    """Find credentials in one string: (detector, start, end) spans, not overlapping, in order.

    ``key`` is the name the value sat under (an env variable, a header, a YAML key, the flag before
    an argument); a literal, high-entropy value under a credential-like key is reported as detector
    ``key-name``. A ``NAME=value`` or ``--flag=value`` string is judged by its own name too.
    """
    if not value or MARKER.fullmatch(value):
        return []
    spans: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for detector, pattern in _candidates(value):
        for match in pattern.finditer(value):
            if "secret" in pattern.groupindex and match.group("secret") is not None:
                start, end = match.span("secret")
            else:
                start, end = match.span()
            secret_text = value[start:end]
            if is_reference(secret_text) or MARKER.search(value[max(0, start - 10) : end + 30]):
                continue
            if not _plausible(detector, secret_text):
                continue
            if any(start < e and s < end for s, e in taken):
                continue
            spans.append((detector, start, end))
            taken.append((start, end))
    if not spans:
        assigned = _ASSIGN.match(value.strip())
        if assigned and is_secret_key(assigned.group(1)) and _looks_like_literal_secret(assigned.group(2)):
            secret = assigned.group(2).strip()
            start = value.rindex(secret)
            spans.append(("key-name", start, start + len(secret)))
        elif is_secret_key(key) and _looks_like_literal_secret(value):
            stripped = value.strip()
            start = value.index(stripped)
            spans.append(("key-name", start, start + len(stripped)))
    spans.sort(key=lambda item: item[1])
    return spans


def _embedded_json(value: str) -> Any:
    """The document inside a string holding (possibly doubly escaped) JSON, or None."""
    text = value.strip()
    if len(text) < 2 or text[0] not in '{["' or len(text) > 65536:
        return None
    for _ in range(3):
        try:
            text = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if isinstance(text, (dict, list)):
            return text
        if not isinstance(text, str):
            return None
    return None


def _nested_secrets(value: str) -> list[tuple[str, str]]:
    """(detector, secret) pairs found by key name inside JSON held in a string."""
    document = _embedded_json(value)
    if document is None:
        return []
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, name = stack.pop()
        if isinstance(node, str):
            for detector, start, end in find_secrets(node, name):
                found.append((detector, node[start:end]))
        elif isinstance(node, dict):
            stack.extend((v, str(k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, name) for v in node)
    return found


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


#: Longest value whose redaction is remembered (longer values are rare and would hold memory).
_CACHED_LENGTH = 2048


def _redact_value(value: str, name: str) -> tuple[str, list[tuple[str, str]]]:
    # The same values recur across the repositories of an organisation (launchers, arguments, rule
    # strings): redaction is a pure function of (value, name), so repeats are answered from a cache.
    if len(value) <= _CACHED_LENGTH:
        redacted, found = _redact_value_cached(value, name)
        return redacted, list(found)
    return _redact_value_uncached(value, name)


@lru_cache(maxsize=16384)
def _redact_key(key: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    redacted, found = redact_string(key)
    return redacted, tuple(found)


def _redact_list(key: str) -> tuple[str, list[tuple[str, str]]]:
    return redact_string(key)


@lru_cache(maxsize=65536)
def _redact_value_cached(value: str, name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    redacted, found = _redact_value_uncached(value, name)
    return redacted, tuple(found)


def _redact_value_uncached(value: str, name: str) -> tuple[str, list[tuple[str, str]]]:
    redacted, found = redact_string(value, name)
    for detector, secret in _nested_secrets(redacted):
        if secret in redacted:
            redacted = redacted.replace(secret, marker(detector, secret))
        else:
            # The secret is escaped differently in the outer text: drop the whole value rather than leak it.
            redacted = marker(detector, secret)
        found.append((detector, fingerprint(secret)))
    return redacted, found


def redact_document(data: Any, pointer: str = "", key: str = "") -> tuple[Any, list[SecretHit]]:
    """Return a redacted copy of a parsed document and every secret found, with its JSON pointer.

    Keys are checked as well as values (a secret used as a key is still a secret). In lists (command
    arguments) a value following a credential flag (``--access-token X``) is judged under the flag's
    name, and ``--api-key=X`` / ``NAME=X`` items under their own name. Strings that hold JSON (escaped
    JSON inside args) are parsed and their keys used too (``{"perplexityApiKey": "..."}``).
    """
    hits: list[SecretHit] = []

    def walk(node: Any, here: str, name: str) -> Any:
        if isinstance(node, str):
            redacted, found = _redact_value(node, name)
            hits.extend(SecretHit(detector, fp, here, name) for detector, fp in found)
            return redacted
        if isinstance(node, dict):
            out: dict[Any, Any] = {}
            for k, v in node.items():
                key_text = k if isinstance(k, str) else str(k)
                new_key, key_found = (
                    _redact_key(key_text) if len(key_text) <= _CACHED_LENGTH else _redact_list(key_text)
                )
                child = f"{here}/{_escape_pointer(new_key)}"
                hits.extend(SecretHit(detector, fp, child, "") for detector, fp in key_found)
                out[new_key if isinstance(k, str) else k] = walk(v, child, key_text)
            return out
        if isinstance(node, list):
            items = []
            previous: Any = None
            for index, item in enumerate(node):
                flag = _FLAG.match(previous) if isinstance(previous, str) else None
                item_name = flag.group(1) if flag and is_secret_key(flag.group(1)) else name
                items.append(walk(item, f"{here}/{index}", item_name))
                previous = item
            return items
        return node

    return walk(data, pointer, key), hits
