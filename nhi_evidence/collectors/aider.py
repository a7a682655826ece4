"""Aider: approval, commits, commands it runs, API keys and analytics in ``.aider.conf.yml``.

File read: ``.aider.conf.yml`` (YAML; Aider loads ``~/.aider.conf.yml``, then the git root's, then the
current folder's, later files winning; ``~/.aider.conf.yml`` is read in a workstation scan), plus
presence of ``CONVENTIONS.md`` and of the files listed under ``read`` (instructions).

Settings read (Aider's long option names, as the YAML file spells them):
- ``yes-always``: answer yes to every confirmation (shell commands, file creation, URL fetches).
- ``auto-commits`` (default true), ``dirty-commits`` (default true): commits made without review.
- ``suggest-shell-commands`` (default true), ``test-cmd``, ``lint-cmd``, ``auto-test``, ``auto-lint``:
  commands Aider runs.
- ``openai-api-key``, ``anthropic-api-key``, ``api-key`` (list of ``provider=key``), ``set-env``:
  credentials (inline values are reported as secrets by fingerprint).
- ``openai-api-base``: the endpoint keys are sent to.
- ``analytics``, ``analytics-disable``, ``analytics-log``: usage analytics.

Facts: the shared keys of ``facts.py`` plus ``aider`` (``{yes_always, auto_commits, dirty_commits,
suggest_shell_commands, test_cmd, lint_cmd, auto_test, api_base_insecure, path, line}``). A setting
absent is recorded as its documented default.

Docs: https://aider.chat/docs/config/aider_conf.html ; https://aider.chat/docs/config/options.html ;
https://aider.chat/docs/config/api-keys.html ; https://aider.chat/docs/more/analytics.html
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, finish, present, where
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
)
from nhi_evidence.model import CollectionError, Tier

NAME = "aider"
_LOCAL = ("localhost", "127.0.0.1", "::1")


def _flag(doc: dict[str, Any], key: str, default: bool) -> bool:
    value = doc.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return default


def conf_facts(loaded: LoadedSource, data: Any) -> tuple[dict[str, Any], list[Signal]]:
    """Shared and Aider-specific facts of one .aider.conf.yml document, and capability signals."""
    doc: dict[str, Any] = data if isinstance(data, dict) else {}
    yes_always = _flag(doc, "yes-always", False)
    auto_commits = _flag(doc, "auto-commits", True)
    suggest_shell = _flag(doc, "suggest-shell-commands", True)
    base = str(doc.get("openai-api-base") or "")
    parts = urlsplit(base) if base else None
    insecure = bool(parts and parts.scheme == "http" and (parts.hostname or "") not in _LOCAL)
    facts: dict[str, Any] = {
        "aider": {
            "yes_always": yes_always,
            "auto_commits": auto_commits,
            "auto_commits_set": "auto-commits" in doc,
            "dirty_commits": _flag(doc, "dirty-commits", True),
            "git": _flag(doc, "git", True),
            "suggest_shell_commands": suggest_shell,
            "test_cmd": doc.get("test-cmd") is not None,
            "lint_cmd": doc.get("lint-cmd") is not None,
            "auto_test": _flag(doc, "auto-test", False),
            "api_base_insecure": insecure,
            **where(loaded, "auto-commits:", "yes-always:"),
        },
        "approval": {
            "mode": "yes-always" if yes_always else "confirm",
            "auto_approve_all": yes_always,
            **where(loaded, "yes-always:"),
        },
        "shell": {
            "unrestricted": yes_always and suggest_shell,
            "rules": [],
            **where(loaded, "yes-always:", "suggest-shell-commands:"),
        },
        "network": {"unrestricted": yes_always, "rules": [], **where(loaded, "yes-always:")},
    }
    if "analytics" in doc or "analytics-disable" in doc:
        enabled = _flag(doc, "analytics", False) and not _flag(doc, "analytics-disable", False)
        facts["telemetry"] = {
            "enabled": enabled,
            "exporter": "aider-analytics" if enabled else None,
            "endpoint_set": False,
            **where(loaded, "analytics"),
        }
    signals = [Signal(Tier.LOCAL_ACTOR, f"Aider edits files in the repository ({loaded.path}).")]
    if auto_commits and _flag(doc, "git", True):
        signals.append(
            Signal(Tier.LOCAL_ACTOR, f"{loaded.path} leaves auto-commits on: Aider commits its edits without review.")
        )
    if yes_always:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{loaded.path} sets yes-always: every confirmation is answered yes."))
    return facts, signals


class AiderCollector(RepositoryCollector):
    """Reads Aider's .aider.conf.yml."""

    name = NAME
    description = "Aider: .aider.conf.yml yes-always, auto-commits, commands, inline API keys, analytics."
    docs_url = "https://aider.chat/docs/config/aider_conf.html"
    marker_paths = (".aider.conf.yml",)

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Aider configuration of one repository (or home folder)."""
        out = CollectorOutput()
        loaded = load_source(ctx, NAME, ".aider.conf.yml", "yaml", out)
        if loaded is None:
            return out
        if loaded.data is not None and not isinstance(loaded.data, dict):
            out.errors.append(
                CollectionError(loaded.path, f"{loaded.path}: expected a mapping of options at the top level.", NAME)
            )
        facts, signals = conf_facts(loaded, loaded.data)
        doc = loaded.data if isinstance(loaded.data, dict) else {}
        reads = [str(r) for r in as_list(doc.get("read")) if isinstance(r, str) and not r.startswith(("/", "~", ".."))]
        facts["instructions"] = present(ctx, list(dict.fromkeys(["CONVENTIONS.md", *reads])))
        return finish(NAME, ctx, out, [loaded], facts, signals)
