"""Where GitHub API answers come from: the live API, a saved export, or the live API while saving.

Export layout (``--github-export DIR``, written by ``nhi-evidence github export``)::

    DIR/manifest.json                     {"format": 1, "api_url", "org", "repositories": [...], "saved_at"}
    DIR/api/<endpoint path>.json          one file per endpoint, e.g.
    DIR/api/orgs/acme/installations.json
    DIR/api/repos/acme/api/branches/main/protection.json

Each endpoint file is an envelope ``{"status": 200, "reason": "", "etag": "...", "data": <the JSON answer>}``; for
list endpoints ``data`` holds every page merged. A 403 or 404 is saved too (``data`` null, the reason
kept), so an offline run reports the same not-available evidence as the live one. An endpoint with
no file reads as not available ("not in the export").
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from nhi_evidence.github.client import ApiResult, GitHubClient

#: Path segments allowed in an export file name (API paths are built from org, repo, branch names).
_SEGMENT = re.compile(r"^[A-Za-z0-9._\-\[\]@+=]+$")


class ApiSource(Protocol):
    """Answers GitHub API GETs."""

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResult:
        """One resource."""
        ...

    def get_all(self, path: str, params: Mapping[str, Any] | None = None, key: str = "") -> ApiResult:
        """Every page of a list endpoint."""
        ...


def export_file(root: Path, path: str) -> Path | None:
    """The envelope file of an API path inside an export folder (None when the path cannot be one)."""
    parts = [p for p in path.split("?", 1)[0].strip("/").split("/") if p]
    if not parts or any(p in (".", "..") or not _SEGMENT.match(p) for p in parts):
        return None
    return root.joinpath("api", *parts[:-1], parts[-1] + ".json")


class LiveSource:
    """The live API through a ``GitHubClient``."""

    def __init__(self, client: GitHubClient) -> None:
        self.client = client

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResult:
        """One resource."""
        return self.client.get(path, params)

    def get_all(self, path: str, params: Mapping[str, Any] | None = None, key: str = "") -> ApiResult:
        """Every page of a list endpoint."""
        return self.client.get_all(path, params, key)


class RecordingSource(LiveSource):
    """The live API, saving every answer in the export layout."""

    def __init__(self, client: GitHubClient, root: Path) -> None:
        super().__init__(client)
        self.root = root
        self.saved: list[str] = []
        self.not_modified = 0

    def _save(self, path: str, result: ApiResult) -> ApiResult:
        target = export_file(self.root, path)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            envelope = {"status": result.status, "reason": result.reason, "data": result.data}
            if result.etag:
                envelope["etag"] = result.etag
            target.write_text(json.dumps(envelope, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            self.saved.append(path)
        return result

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResult:
        """One resource, saved; an ETag saved by an earlier export is sent back as If-None-Match."""
        previous = ExportSource(self.root).envelope(path)
        if previous and previous.get("status") == 200 and previous.get("etag"):
            self.client.remember(path, params, str(previous["etag"]), previous.get("data"))
        result = super().get(path, params)
        if result.not_modified:
            self.not_modified += 1
        return self._save(path, result)

    def get_all(self, path: str, params: Mapping[str, Any] | None = None, key: str = "") -> ApiResult:
        """Every page, saved merged."""
        return self._save(path, super().get_all(path, params, key))


class ExportSource:
    """A saved export folder (offline audits)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []

    def envelope(self, path: str) -> dict[str, Any] | None:
        """The saved envelope of an endpoint; None when absent, {} when malformed (problem recorded)."""
        target = export_file(self.root, path)
        if target is None or not target.is_file() or os.path.islink(target):
            return None
        try:
            envelope = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            self.problems.append(f"{target.relative_to(self.root).as_posix()}: not a valid JSON envelope")
            return {}
        if not isinstance(envelope, dict) or not isinstance(envelope.get("status"), int):
            self.problems.append(f"{target.relative_to(self.root).as_posix()}: the envelope has no integer 'status'")
            return {}
        return envelope

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResult:
        """The saved answer of one endpoint."""
        envelope = self.envelope(path)
        if envelope is None:
            return ApiResult(0, None, "not in the export")
        if not envelope:
            return ApiResult(0, None, "the export file is malformed")
        return ApiResult(
            int(envelope["status"]),
            envelope.get("data"),
            str(envelope.get("reason") or ""),
            str(envelope.get("etag") or ""),
        )

    def get_all(self, path: str, params: Mapping[str, Any] | None = None, key: str = "") -> ApiResult:
        """The saved, merged answer of a list endpoint."""
        return self.get(path, params)

    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` ({} when absent or malformed; problems recorded)."""
        target = self.root / "manifest.json"
        if not target.is_file():
            self.problems.append("manifest.json: absent")
            return {}
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            self.problems.append("manifest.json: not valid JSON")
            return {}
        return data if isinstance(data, dict) else {}
