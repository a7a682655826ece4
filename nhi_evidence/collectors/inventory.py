"""The identity inventory: the organisation's own list of assistant identities, owners and credentials.

Format (documented in the README, section "Identity, governance and logs", and checked against
``mappings/schemas/inventory.schema.json``)::

    version: 1
    identities:
      - id: claude-ci
        kind: github-app
        assistant: claude-code
        owner: platform-team
        status: active
        environments: [ci]
        accounts: ["claude[bot]"]
        matches: [{kind: ci-workflow, repository: claude-agent}]
        credentials:
          - {id: ANTHROPIC_API_KEY, type: api-key, created: 2026-01-10, last_rotated: 2026-09-01}

Each identity becomes a subject of kind ``inventory-identity``. The file should hold references only;
a secret value found anyway is replaced by its fingerprint and reported as a collection error.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import jsonschema_rs

from nhi_evidence.collectors.interface import CollectorOutput, SourceCollector, SourceContext, make_evidence, subject_id
from nhi_evidence.files import DEFAULT_MAX_BYTES
from nhi_evidence.model import Capability, CollectionError, Subject, Tier
from nhi_evidence.parsing import ParseError, find_line, parse_text, parse_yaml
from nhi_evidence.resources import mappings_dir
from nhi_evidence.secretscan import redact_document

KIND = "inventory-identity"

#: Credential types that are short-lived or federated (no static secret to leak or rotate).
SHORT_LIVED_TYPES = frozenset({"github-app", "github-actions-token", "oidc", "workload-identity"})


@cache
def inventory_validator() -> Any:
    """The compiled JSON Schema validator of the inventory format."""
    import json

    schema = json.loads((mappings_dir() / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _plain(node: Any) -> Any:
    """YAML dates and times become ISO strings so the document is JSON-compatible."""
    if isinstance(node, dt.datetime):
        return node.isoformat()
    if isinstance(node, dt.date):
        return node.isoformat()
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def pointer_text(path: list[str | int]) -> str:
    """A JSON pointer for a schema error path ("" for the document root)."""
    return "".join(f"/{part}" for part in path) or "/"


def validate_inventory(data: Any) -> list[str]:
    """Schema problems as sentences naming the place in the document (empty when valid)."""
    problems = []
    for error in inventory_validator().iter_errors(data):
        problems.append(f"at {pointer_text(list(error.instance_path))}: {error.message}")
    return sorted(problems)


def read_source_file(
    path: str, collector: str, out: CollectorOutput, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes | None:
    """Read a file given by option, recording a collection error naming it when it cannot be read."""
    try:
        if not os.path.isfile(path):
            reason = "no such file" if not os.path.exists(path) else "not a regular file"
            out.errors.append(CollectionError(path, f"{path}: {reason}.", collector))
            return None
        if os.path.getsize(path) > max_bytes:
            out.errors.append(
                CollectionError(path, f"{path}: larger than the size cap ({max_bytes} bytes).", collector)
            )
            return None
        return Path(path).read_bytes()
    except OSError as exc:
        out.errors.append(
            CollectionError(path, f"{path}: could not be read ({exc.strerror or 'I/O error'}).", collector)
        )
        return None


class InventoryCollector(SourceCollector):
    """Reads the identity inventory given with ``--inventory``."""

    name: ClassVar[str] = "inventory"
    description: ClassVar[str] = "Identity inventory: assistant identities, owners and credentials (--inventory)."
    docs_url: ClassVar[str] = "https://github.com/nhi-evidence/nhi-evidence#identity"
    option: ClassVar[str] = "inventory"

    def collect(self, ctx: SourceContext) -> CollectorOutput:
        """Read, redact and validate the inventory, one subject per identity."""
        out = CollectorOutput()
        path = str(ctx.options.get(self.option) or "")
        raw = read_source_file(path, self.name, out)
        if raw is None:
            return out
        try:
            parsed = parse_yaml(raw)
            text = parse_text(raw)
        except ParseError as exc:
            out.errors.append(CollectionError(path, f"{path}: {exc.message}.", self.name, exc.line))
            return out
        data, secrets = redact_document(_plain(parsed))
        for hit in secrets:
            out.errors.append(
                CollectionError(
                    path,
                    f"{path}: a secret value ({hit.detector}, fingerprint {hit.fingerprint}) is stored at {hit.pointer}; "
                    "an inventory holds references only (it was redacted).",
                    self.name,
                )
            )
        problems = validate_inventory(data)
        if problems:
            for problem in problems:
                out.errors.append(
                    CollectionError(path, f"{path}: not a valid identity inventory {problem}.", self.name)
                )
            return out
        evidence = make_evidence(self.name, path, "yaml", raw, data, ctx.clock)
        out.evidence.append(evidence)
        seen: set[str] = set()
        for index, identity in enumerate(data["identities"]):
            ident = str(identity["id"])
            if ident in seen:
                out.errors.append(
                    CollectionError(
                        path, f"{path}: identity id {ident!r} is listed twice (at /identities/{index}).", self.name
                    )
                )
                continue
            seen.add(ident)
            out.subjects.append(self._subject(identity, index, path, text, evidence.id))
        return out

    @staticmethod
    def _subject(identity: Mapping[str, Any], index: int, path: str, text: str, evidence_id: str) -> Subject:
        ident = str(identity["id"])
        credentials = [dict(c) for c in identity.get("credentials") or ()]
        environments = list(identity.get("environments") or ())
        for credential in credentials:
            credential.setdefault("environments", environments)
            credential.setdefault("status", "active")
        static = [c["id"] for c in credentials if c["type"] not in SHORT_LIVED_TYPES]
        tier = Tier.REPOSITORY_ACTOR if credentials else Tier.ADVISORY
        reasons = (
            (f"The inventory lists {len(credentials)} credential(s) for identity {ident}.",)
            if credentials
            else (f"The inventory lists no credential for identity {ident}.",)
        )
        facts = {
            "identity": {
                "id": ident,
                "kind": identity["kind"],
                "assistant": identity.get("assistant", ""),
                "owner": str(identity.get("owner") or "").strip(),
                "purpose": identity.get("purpose", ""),
                "status": identity["status"],
                "retired_on": identity.get("retired_on", ""),
                "environments": environments,
                "accounts": [str(a) for a in identity.get("accounts") or ()],
                "matches": [dict(m) for m in identity.get("matches") or ()],
                "credentials": credentials,
                "static_credentials": static,
            },
            "pointer": f"/identities/{index}",
            "line": find_line(text, f"id: {ident}", ident),
        }
        return Subject(
            id=subject_id(KIND, "", path, ident),
            kind=KIND,
            name=f"inventory identity {ident}",
            path=path,
            repository="",
            capability=Capability(tier, reasons),
            facts=facts,
            evidence_ids=(evidence_id,),
        )
