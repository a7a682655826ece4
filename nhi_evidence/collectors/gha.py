"""Reading GitHub Actions workflow files: triggers, token permissions, ``uses:`` pins, expressions.

Pure functions over a parsed (redacted) workflow document; nothing here touches the host, so any
collector that reads workflow files (assistant jobs, Copilot's ``copilot-setup-steps.yml``) reuses them.

- ``workflow_triggers``: the events of ``on:``. NOTE: PyYAML reads YAML 1.1, where the bare key ``on``
  is the boolean ``True`` (and ``yes``/``no`` are booleans too); both spellings are accepted.
  https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#on
- ``resolve_permissions``: the GITHUB_TOKEN scopes a job gets. A job-level ``permissions`` replaces the
  workflow-level one; ``read-all``/``write-all`` set every scope; naming any scope sets every other scope
  to ``none``; ``{}`` sets them all to ``none``. With no ``permissions`` key anywhere the token gets the
  repository or organisation default, which is either *permissive* (read/write for most scopes) or
  *restricted* (contents and packages read): that setting is not in the files, so the permissive table
  is assumed ("potentially write") and the source is recorded as ``default``.
  https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions ;
  https://docs.github.com/en/actions/reference/github_token-reference#permissions-for-the-github_token
- ``classify_uses``: how a ``uses:`` reference is pinned (full commit SHA, tag, branch, none, local, docker).
  https://docs.github.com/en/actions/reference/security/secure-use#using-third-party-actions
- ``untrusted_contexts``: attacker-controllable event fields referenced inside ``${{ }}`` expressions
  (issue and pull request titles and bodies, comment and review bodies, head refs, commit messages...).
  https://docs.github.com/en/actions/reference/security/secure-use#good-practices-for-mitigating-script-injection-attacks
- ``secret_refs`` / ``var_refs``: names of ``secrets.X`` and ``vars.X`` referenced (never values).
- ``UNTRUSTED_TRIGGERS``: events that run with the base repository's token and secrets while carrying
  text anyone can write (https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: Events whose payload text anyone may write while the run holds the base repository's token and secrets.
UNTRUSTED_TRIGGERS: frozenset[str] = frozenset(
    {
        "pull_request_target",
        "issue_comment",
        "issues",
        "pull_request_review",
        "pull_request_review_comment",
        "workflow_run",
        "discussion",
        "discussion_comment",
    }
)

#: Token scopes, as documented for ``permissions``.
SCOPES: tuple[str, ...] = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)

#: The documented permissive default: read/write for most scopes (id-token none, models read).
PERMISSIVE_DEFAULT: dict[str, str] = {
    scope: ("none" if scope == "id-token" else "read" if scope == "models" else "write") for scope in SCOPES
}

#: Recorded as the permissions source when no ``permissions`` key applies.
DEFAULT_NOTE = "default (repository setting; unknown offline)"

_LEVELS = frozenset({"read", "write", "none"})
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")
_VERSION = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.\-]+)?$")
_BRANCHES = frozenset(
    {
        "main",
        "master",
        "develop",
        "dev",
        "trunk",
        "head",
        "latest",
        "beta",
        "alpha",
        "nightly",
        "canary",
        "next",
        "stable",
    }
)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_\-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_VAR = re.compile(r"\bvars\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_\-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_INDEX = r"(?:\[[^\]]*\]|\.\*)"
#: Attacker-controllable fields of event payloads (the GitHub security guide's list, plus head refs).
_UNTRUSTED = re.compile(
    r"\bgithub\s*\.\s*(?:"
    r"event\.(?:issue|pull_request|discussion)\.(?:title|body)"
    r"|event\.(?:comment|review|review_comment)\.body"
    r"|event\.(?:workflow_run\.)?head_commit\.(?:message|author\.(?:name|email))"
    rf"|event\.commits{_INDEX}\.(?:message|author\.(?:name|email))"
    r"|event\.pull_request\.head\.(?:ref|label|repo\.default_branch)"
    rf"|event\.pages{_INDEX}\.page_name"
    r"|event\.workflow_run\.(?:head_branch|display_title|head_repository\.description)"
    rf"|event\.workflow_run\.pull_requests{_INDEX}\.head\.ref"
    r"|head_ref"
    r")\b"
    r"|\btoJSON\s*\(\s*github\.event\s*\)",
    re.IGNORECASE,
)


def workflow_triggers(doc: Mapping[Any, Any]) -> dict[str, Any]:
    """Events of the workflow's ``on:`` (string, list or mapping), name -> its configuration (or None)."""
    raw: Any = doc.get("on", doc.get(True))
    if raw is None and "on" not in doc and True not in doc:
        return {}
    if isinstance(raw, str):
        return {raw: None}
    if isinstance(raw, list):
        return {str(item): None for item in raw if isinstance(item, str)}
    if isinstance(raw, dict):
        return {str(k): v for k, v in raw.items() if isinstance(k, str)}
    return {}


@dataclass(frozen=True)
class Permissions:
    """The GITHUB_TOKEN scopes one job gets."""

    scopes: dict[str, str]
    """Scope -> read | write | none (every documented scope)."""
    source: str
    """``job``, ``workflow``, ``caller`` (inherited from a calling workflow) or ``default``."""
    declared: Any
    """The ``permissions`` value as written (None when absent)."""

    @property
    def is_default(self) -> bool:
        """True when no ``permissions`` key applies (the repository default decides)."""
        return self.source == "default"

    @property
    def write_scopes(self) -> list[str]:
        """Scopes with write access, sorted."""
        return sorted(scope for scope, level in self.scopes.items() if level == "write")

    def as_fact(self) -> dict[str, Any]:
        """JSON-compatible fact."""
        return {
            "scopes": dict(sorted(self.scopes.items())),
            "source": self.source,
            "declared": self.declared,
            "write": self.write_scopes,
            "note": DEFAULT_NOTE if self.is_default else "",
        }


def expand_permissions(declared: Any) -> dict[str, str] | None:
    """Scopes granted by one ``permissions`` value; None when the value is not a valid form."""
    if isinstance(declared, str):
        text = declared.strip().lower()
        if text == "read-all":
            return dict.fromkeys(SCOPES, "read")
        if text == "write-all":
            return dict.fromkeys(SCOPES, "write")
        return None
    if isinstance(declared, dict):
        scopes = dict.fromkeys(SCOPES, "none")
        for key, value in declared.items():
            level = str(value).strip().lower() if isinstance(value, str) else ""
            if isinstance(key, str) and level in _LEVELS:
                scopes[key.strip().lower()] = level
        return scopes
    return None


def resolve_permissions(
    workflow: Mapping[Any, Any], job: Mapping[Any, Any], caller: Permissions | None = None
) -> Permissions:
    """Effective permissions of a job: its own block, else the workflow's, else a caller's, else the default."""
    for source, holder in (("job", job), ("workflow", workflow)):
        if "permissions" in holder:
            declared = holder.get("permissions")
            scopes = expand_permissions(declared if declared is not None else {})
            if scopes is not None:
                return Permissions(scopes, source, declared)
    if caller is not None:
        return Permissions(dict(caller.scopes), "caller" if not caller.is_default else "default", caller.declared)
    return Permissions(dict(PERMISSIVE_DEFAULT), "default", None)


@dataclass(frozen=True)
class UsesRef:
    """A parsed ``uses:`` reference."""

    raw: str
    """As written."""
    kind: str
    """``action`` (owner/repo[/path]), ``local`` (./path), ``docker`` (docker://image) or ``reusable`` (a workflow file)."""
    name: str
    """owner/repo[/path] lower-cased, the local path, or the image."""
    ref: str
    """The part after ``@`` (or the image tag/digest); "" when none."""
    pin: str
    """``sha`` (full commit SHA or image digest), ``tag``, ``branch``, ``ref`` (a symbolic ref of unknown kind),
    ``none`` (no ref) or ``local``."""

    def as_fact(self) -> dict[str, str]:
        """JSON-compatible fact."""
        return {"uses": self.raw, "kind": self.kind, "name": self.name, "ref": self.ref, "pin": self.pin}


def _ref_pin(ref: str) -> str:
    if not ref:
        return "none"
    if _SHA.match(ref):
        return "sha"
    if ref.lower() in _BRANCHES or ref.startswith(("refs/heads/", "feature/", "release/")):
        return "branch"
    if _SHORT_SHA.match(ref) and not ref.isdigit():
        # A short SHA is ambiguous (and refused by GitHub for actions); it is not an immutable pin.
        return "ref"
    if _VERSION.match(ref) or ref.startswith("refs/tags/"):
        return "tag"
    return "ref"


def classify_uses(uses: str) -> UsesRef:
    """Classify how a ``uses:`` value is pinned."""
    raw = uses.strip()
    if raw.startswith("./") or raw.startswith("../"):
        return UsesRef(raw, "local", raw, "", "local")
    if raw.startswith("docker://"):
        image = raw[len("docker://") :]
        if "@sha256:" in image:
            name, _, digest = image.partition("@")
            return UsesRef(raw, "docker", name, digest, "sha")
        last = image.rsplit("/", 1)[-1]
        if ":" in last:
            name, _, tag = image.rpartition(":")
            return UsesRef(raw, "docker", name, tag, "branch" if tag == "latest" else "tag")
        return UsesRef(raw, "docker", image, "", "none")
    name, sep, ref = raw.partition("@")
    kind = "reusable" if re.search(r"/\.github/workflows/[^/]+\.ya?ml$", name) else "action"
    return UsesRef(raw, kind, name.lower(), ref if sep else "", _ref_pin(ref if sep else ""))


def expressions(text: str) -> Iterator[str]:
    """The bodies of ``${{ ... }}`` expressions in text."""
    for match in _EXPRESSION.finditer(text):
        yield match.group(1)


def untrusted_contexts(text: str) -> list[str]:
    """Attacker-controllable contexts referenced inside ``${{ }}`` expressions of text, in order, unique."""
    if "${{" not in text:
        return []
    found: list[str] = []
    for body in expressions(text):
        for match in _UNTRUSTED.finditer(body):
            context = re.sub(r"\s+", "", match.group(0))
            if context not in found:
                found.append(context)
    return found


def untrusted_in_condition(text: str) -> list[str]:
    """Untrusted contexts in an ``if:`` condition (written with or without ``${{ }}``)."""
    return untrusted_contexts(text if "${{" in text else "${{ " + text + " }}")


def _names(pattern: re.Pattern[str], text: str) -> list[str]:
    if "${{" not in text:
        return []
    names: list[str] = []
    for body in expressions(text):
        for match in pattern.finditer(body):
            name = match.group(1) or match.group(2)
            if name and name not in names:
                names.append(name)
    return names


def secret_refs(text: str) -> list[str]:
    """Names of ``secrets.X`` referenced in ``${{ }}`` expressions of text (never values)."""
    return _names(_SECRET, text)


def var_refs(text: str) -> list[str]:
    """Names of ``vars.X`` referenced in ``${{ }}`` expressions of text."""
    return _names(_VAR, text)


def as_mapping(value: Any) -> dict[str, Any]:
    """The value as a dict when it is a mapping with string keys (others dropped), else {}."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(k, (str, bool, int, float))}
    return {}


def scalar_text(value: Any) -> str:
    """A YAML scalar as the text GitHub would see (booleans as true/false, None as "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def condition_text(value: Any) -> str:
    """An ``if:`` value as text (YAML may have read ``if: true`` as a boolean)."""
    return scalar_text(value).strip()
