"""Workstation scan (opt-in, ``nhi-evidence scan --home DIR``): user-level assistant settings.

It also gives the effective Claude Code settings once managed, user, project and local settings are
combined. DIR is a home folder (or a copy of one). Nothing outside DIR is read, and DIR itself is never printed:
every path is shown relative to it with ``~`` in its place (``~/.codex/config.toml``), so a report
never carries a user name or an absolute home path.

Files read, relative to DIR:

- Claude Code: ``~/.claude/settings.json`` (user settings) and ``~/.claude.json`` (user-scoped MCP
  servers, and per-project MCP servers and allowed tools under ``projects``). Only the MCP and
  permission parts of ``~/.claude.json`` are kept as evidence: the rest of that file is session
  state (prompt history, account details) that an audit pack must not carry.
- Claude Code managed settings, deliberately looked for *inside* DIR only, at the documented system
  locations re-rooted under it: ``etc/claude-code/managed-settings.json`` (Linux/WSL),
  ``Library/Application Support/ClaudeCode/managed-settings.json`` (macOS) and
  ``Program Files/ClaudeCode/managed-settings.json`` (Windows). This keeps the scan confined to the
  folder the user named; to include a machine's managed policy, copy it to that place in DIR (the
  bundled ``examples/home`` does). Shown as ``~/etc/claude-code/managed-settings.json``.
- The user-level files of the other assistants, through their own collectors with ``scope: user``:
  ``~/.cursor/mcp.json`` and ``~/.cursor/cli-config.json``, ``~/.codex/config.toml``,
  ``~/.gemini/settings.json``, ``~/.continue/config.yaml``, ``~/.aider.conf.yml``.

Precedence (Claude Code, https://code.claude.com/docs/en/settings#settings-precedence): managed >
command line > local project (``.claude/settings.local.json``) > shared project
(``.claude/settings.json``) > user. Scalars come from the highest file that sets them; permission
rules from every file are merged and deny beats ask beats allow wherever a rule is written
(https://code.claude.com/docs/en/permissions), so a managed deny beats a project allow. Managed-only
keys are honoured: ``permissions.disableBypassPermissionsMode: "disable"`` turns a lower file's
``bypassPermissions`` back into ``default``, and ``allowManagedPermissionRulesOnly: true`` drops every
allow/ask/deny rule not written in managed settings. Command-line flags are not in any file and are
not seen.

Subjects: one ``claude-code`` subject with ``scope: effective`` for the workstation alone (user and
managed settings, path ``~/.claude/settings.json``), and one per scanned repository that has Claude
Code project settings (``scope: effective``, repository set, combining the four files). Their facts are
those of ``collectors/claude_code.py`` plus ``precedence`` (``[{"setting", "value", "scope", "path",
"overrides": [{"scope", "path", "value"}]}]`` for each scalar set in more than one file) and
``settings_scopes`` (``[{"scope", "path"}]`` lowest first). Other assistants give ``scope: user``
subjects. Precedence between their user and project files (Gemini CLI: system > project > user;
Codex: project > user; Cursor CLI: project files merged over the global one) is documented in their
collectors; their project subjects come from the repository scan.

Docs: https://code.claude.com/docs/en/settings ; https://code.claude.com/docs/en/iam#managed-settings ;
https://code.claude.com/docs/en/mcp#mcp-installation-scopes ; https://geminicli.com/docs/cli/configuration ;
https://developers.openai.com/codex/config-basic
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from nhi_evidence.collectors import claude_code
from nhi_evidence.collectors.aider import AiderCollector
from nhi_evidence.collectors.assistant_common import build_subject, mcp_facts, secret_facts
from nhi_evidence.collectors.codex import CodexCollector
from nhi_evidence.collectors.continue_dev import ContinueCollector
from nhi_evidence.collectors.cursor import CursorCollector
from nhi_evidence.collectors.gemini import GeminiCollector
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    SourceCollector,
    SourceContext,
    evidence_id,
    load_source,
    make_evidence,
    read_raw,
)
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import CollectionError
from nhi_evidence.parsing import PARSERS, ParseError
from nhi_evidence.secretscan import redact_document

NAME = "home"
HOME_LABEL = "~"
USER_SETTINGS = ".claude/settings.json"
USER_STATE = ".claude.json"
MANAGED_SETTINGS = (
    "etc/claude-code/managed-settings.json",
    "Library/Application Support/ClaudeCode/managed-settings.json",
    "Program Files/ClaudeCode/managed-settings.json",
)
#: Collectors whose project files have a user-level twin at the same relative path under the home folder.
USER_COLLECTORS = (CursorCollector, CodexCollector, GeminiCollector, ContinueCollector, AiderCollector)
#: Scalar settings whose winning file is recorded in the ``precedence`` fact.
_TRACKED = (
    ("permissions.defaultMode", ("permissions", "defaultMode")),
    ("permissions.disableBypassPermissionsMode", ("permissions", "disableBypassPermissionsMode")),
    ("skipDangerousModePermissionPrompt", ("skipDangerousModePermissionPrompt",)),
    ("enableAllProjectMcpServers", ("enableAllProjectMcpServers",)),
    ("apiKeyHelper", ("apiKeyHelper",)),
    ("allowManagedPermissionRulesOnly", ("allowManagedPermissionRulesOnly",)),
)
_RULE_KEYS = ("allow", "ask", "deny")
_WEB_BLANKET = frozenset({"WebFetch", "WebFetch(*)", "WebFetch(domain:*)", "WebFetch(domain:**)"})


@dataclasses.dataclass(frozen=True)
class Scoped:
    """One Claude Code settings file with its precedence scope."""

    scope: str
    """``user``, ``project``, ``local`` or ``managed``."""
    source: LoadedSource
    """The file, read and redacted."""


def _get(data: Any, keys: Sequence[str]) -> Any:
    node = data
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _with_data(source: LoadedSource, data: Any) -> LoadedSource:
    return dataclasses.replace(source, data=data)


def apply_managed(files: Sequence[Scoped]) -> list[LoadedSource]:
    """Settings ordered low -> high with the managed-only keys applied to the lower files."""
    managed = [f for f in files if f.scope == "managed"]
    managed_data = managed[-1].source.data if managed else {}
    rules_managed_only = _get(managed_data, ("allowManagedPermissionRulesOnly",)) is True
    bypass_disabled = _get(managed_data, ("permissions", "disableBypassPermissionsMode")) == "disable"
    result = []
    for item in files:
        data = item.source.data
        if item.scope != "managed" and isinstance(data, Mapping):
            copy = dict(data)
            permissions = dict(copy.get("permissions") or {}) if isinstance(copy.get("permissions"), Mapping) else {}
            if rules_managed_only:
                for key in _RULE_KEYS:
                    permissions.pop(key, None)
            if bypass_disabled and permissions.get("defaultMode") == "bypassPermissions":
                # NOTE: Claude Code refuses bypassPermissions when managed settings disable it and
                # starts in the default mode (https://code.claude.com/docs/en/iam#managed-settings).
                permissions["defaultMode"] = "default"
            if "permissions" in copy:
                copy["permissions"] = permissions
            data = copy
        result.append(_with_data(item.source, data))
    return result


def precedence_trace(files: Sequence[Scoped]) -> list[dict[str, Any]]:
    """For each tracked scalar set in more than one file: the winning value and what it overrides."""
    trace = []
    managed = [f for f in files if f.scope == "managed"]
    bypass_disabled = bool(managed) and (
        _get(managed[-1].source.data, ("permissions", "disableBypassPermissionsMode")) == "disable"
    )
    for name, keys in _TRACKED:
        setters = [(f.scope, f.source.path, _get(f.source.data, keys)) for f in files]
        setters = [s for s in setters if s[2] is not None]
        if len(setters) < 2:
            continue
        winner = setters[-1]
        entry: dict[str, Any] = {
            "setting": name,
            "value": winner[2],
            "scope": winner[0],
            "path": winner[1],
            "overrides": [{"scope": s, "path": p, "value": v} for s, p, v in setters[:-1]],
        }
        if name == "permissions.defaultMode" and winner[2] == "bypassPermissions" and bypass_disabled:
            entry["effective_value"] = "default"
            entry["reason"] = "Managed settings disable bypassPermissions (disableBypassPermissionsMode: disable)."
        trace.append(entry)
    return trace


_HOME_PREFIX = re.compile(r"(?<![\w.\-])/{1,2}(?:home|Users)/[^/\s\"')*]+|\b[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s\"')*]+")


def tilde(data: Any, home: Path) -> Any:
    """A copy of a parsed document with home folder paths (keys and values) written as ``~``.

    User-level files name the user's own folders (Codex ``[projects."/home/dana/..."]``); the scanned
    folder itself and the usual home locations of Linux, macOS and Windows are replaced.
    """
    real = str(home.resolve())

    def fix(text: str) -> str:
        text = text.replace(real, "~")
        return _HOME_PREFIX.sub("~", text)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return fix(node)
        if isinstance(node, dict):
            return {(fix(k) if isinstance(k, str) else k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)


def _order(files: Sequence[Scoped]) -> list[Scoped]:
    rank = {"user": 0, "project": 1, "local": 2, "managed": 3}
    return sorted(files, key=lambda f: rank[f.scope])


class HomeCollector(SourceCollector):
    """Reads a home folder's user-level assistant settings and applies Claude Code's precedence."""

    name: ClassVar[str] = NAME
    option: ClassVar[str] = "home"
    description: ClassVar[str] = (
        "Workstation scan (--home DIR): user-level settings of Claude Code, Cursor, Codex, Gemini CLI, Continue, "
        "Aider; Claude Code managed settings; effective settings per repository after precedence."
    )
    docs_url: ClassVar[str] = "https://code.claude.com/docs/en/settings#settings-precedence"

    def collect(self, ctx: SourceContext) -> CollectorOutput:
        """Collect the home folder given by ``--home``. Never raises for bad input."""
        out = CollectorOutput()
        home = Path(str(ctx.options.get("home")))
        if not home.is_dir():
            out.errors.append(CollectionError(HOME_LABEL, "The --home folder does not exist or is not a folder.", NAME))
            return out
        view = FsRepoView(home, "", root_label=HOME_LABEL)
        repo_ctx = RepoContext(view, ctx.clock, {**ctx.options, "_scope": "user"})
        for collector_type in USER_COLLECTORS:
            try:
                out.extend(collector_type().collect(repo_ctx))
            except Exception as exc:  # noqa: BLE001 - a defect in one collector must not stop the scan
                out.errors.append(
                    CollectionError(HOME_LABEL, f"Collector {collector_type.name} failed ({type(exc).__name__}).", NAME)
                )
        self._claude(ctx, repo_ctx, out)
        # Settings name the user's folders (``Read(//Users/dana/.aws/**)``): written as ~ in everything kept.
        out.evidence = [dataclasses.replace(e, data=tilde(e.data, home)) for e in out.evidence]
        out.subjects = [dataclasses.replace(s, facts=tilde(dict(s.facts), home)) for s in out.subjects]
        return out

    # -- Claude Code -------------------------------------------------------------------------------

    def _claude(self, ctx: SourceContext, home_ctx: RepoContext, out: CollectorOutput) -> None:
        home_files: list[Scoped] = []
        user = load_source(home_ctx, NAME, USER_SETTINGS, "json", out)
        if user is not None and isinstance(user.data, Mapping):
            home_files.append(Scoped("user", user))
        for relpath in MANAGED_SETTINGS:
            managed = load_source(home_ctx, NAME, relpath, "json", out)
            if managed is not None and isinstance(managed.data, Mapping):
                home_files.append(Scoped("managed", managed))
                break
        state = self._user_state(home_ctx, out)
        if not home_files and state is None:
            return
        servers = mcp_facts(state, state.data, "", ("mcpServers",)) if state is not None else []
        extra = [state.evidence] if state is not None else []
        secrets = [r for f in home_files for r in secret_facts(f.source)]
        if state is not None:
            secrets += secret_facts(state)
        primary = user.path if user is not None else (home_files[0].source.path if home_files else state.path)  # type: ignore[union-attr]
        self._effective(home_ctx, None, primary, _order(home_files), servers, secrets, extra, out)
        for repo_view in self._repositories(ctx):
            scratch = CollectorOutput()
            repo_ctx = RepoContext(repo_view, ctx.clock, ctx.options)
            project_files: list[Scoped] = []
            for scope, relpath in (("project", claude_code.PROJECT_SETTINGS), ("local", claude_code.LOCAL_SETTINGS)):
                # The repository scan records these files' evidence and errors under claude-code; read
                # them again here only to combine them, and point at that evidence.
                loaded = load_source(repo_ctx, claude_code.NAME, relpath, "json", scratch)
                if loaded is not None and isinstance(loaded.data, Mapping):
                    project_files.append(Scoped(scope, loaded))
            if not project_files:
                continue
            files = _order([*home_files, *project_files])
            repo_secrets = secrets + [r for f in project_files for r in secret_facts(f.source)]
            self._effective(repo_ctx, home_ctx, project_files[0].source.path, files, servers, repo_secrets, extra, out)

    def _effective(
        self,
        ctx: RepoContext,
        home_ctx: RepoContext | None,
        primary: str,
        files: Sequence[Scoped],
        servers: list[dict[str, Any]],
        secrets: list[dict[str, Any]],
        extra: Sequence[Any],
        out: CollectorOutput,
    ) -> None:
        facts: dict[str, Any] = {
            "scope": "effective",
            "sources": [f.source.path for f in files] + [e.source for e in extra],
            "settings_scopes": [{"scope": f.scope, "path": f.source.path} for f in files],
            "precedence": precedence_trace(files),
            "managed_present": any(f.scope == "managed" for f in files),
            "mcp_servers": list(servers),
            "secrets": list(secrets),
        }
        settings = apply_managed(files)
        if settings:
            facts.update(claude_code.effective_settings(settings))
            facts["settings_present"] = True
        else:
            facts["settings_present"] = False
        network = facts.get("network")
        deny_rules = (facts.get("permissions") or {}).get("deny") or []
        if isinstance(network, dict) and any(r.strip() in _WEB_BLANKET for r in deny_rules):
            # A blanket WebFetch deny (often managed) closes what any allow rule opens.
            facts["network"] = {
                **network,
                "unrestricted": False,
                "denied_by": [r for r in deny_rules if r.strip() in _WEB_BLANKET],
            }
        # Deny beats allow wherever either is written: an allow rule also denied (typically a managed
        # deny of a rule a project allows) grants nothing, so it does not raise the capability tier.
        permissions = facts.get("permissions") or {}
        denied = set(permissions.get("deny") or [])
        voided = [r for r in permissions.get("allow") or [] if r in denied]
        if voided:
            facts["permissions"] = {**permissions, "allow_overridden_by_deny": voided}
        signal_facts = {
            **facts,
            "permissions": {**permissions, "allow": [r for r in permissions.get("allow") or [] if r not in denied]},
        }
        signals = claude_code.capability_signals(signal_facts)
        evidence = [f.source.evidence for f in files if f.scope in ("user", "managed")] + list(extra)
        subject = build_subject("claude-code", ctx, primary, facts, signals, evidence)
        project_ids = tuple(
            evidence_id(claude_code.NAME, f.source.path) for f in files if f.scope in ("project", "local")
        )
        label = "the workstation" if home_ctx is None else ctx.repo or "."
        subject = dataclasses.replace(
            subject,
            id=subject.id.replace("claude-code:", "claude-code:eff-", 1),
            name=f"Claude Code effective settings for {label} ({HOME_LABEL})",
            repository=ctx.repo if home_ctx is not None else "",
            evidence_ids=tuple(sorted({*subject.evidence_ids, *project_ids})),
        )
        out.subjects.append(subject)

    def _user_state(self, ctx: RepoContext, out: CollectorOutput) -> LoadedSource | None:
        """``~/.claude.json`` reduced to its MCP servers and per-project permissions (see module docstring)."""
        view = ctx.view
        shown = view.display(USER_STATE)
        raw = read_raw(view, NAME, USER_STATE, out)
        if raw is None:
            return None
        try:
            parsed = PARSERS["json"](raw)
            text = PARSERS["text"](raw)
        except ParseError as exc:
            out.errors.append(CollectionError(shown, f"{shown}: {exc.message}.", NAME, exc.line))
            return None
        if not isinstance(parsed, Mapping):
            out.errors.append(CollectionError(shown, f"{shown}: the top level is not a JSON object.", NAME))
            return None
        reduced: dict[str, Any] = {}
        if isinstance(parsed.get("mcpServers"), Mapping):
            reduced["mcpServers"] = parsed["mcpServers"]
        projects = parsed.get("projects")
        if isinstance(projects, Mapping):
            kept = {}
            for index, (_, project) in enumerate(sorted(projects.items())):
                if not isinstance(project, Mapping):
                    continue
                # Project keys are absolute paths (they name the user); they are replaced by a number.
                kept[f"project-{index + 1}"] = {
                    k: project[k]
                    for k in ("mcpServers", "allowedTools", "enabledMcpjsonServers", "hasTrustDialogAccepted")
                    if k in project
                }
            reduced["projects"] = kept
        data, hits = redact_document(reduced)
        evidence = make_evidence(NAME, shown, "json", raw, data, ctx.clock, "")
        out.evidence.append(evidence)
        return LoadedSource(shown, text, data, tuple(hits), evidence)

    def _repositories(self, ctx: SourceContext) -> list[FsRepoView]:
        from nhi_evidence.pipeline import root_labels

        views = []
        roots = list(ctx.roots)
        labels = root_labels(roots)
        for shown in ctx.repositories:
            for root, label in zip(roots, labels, strict=True):
                if label and not (shown == label or shown.startswith(label + "/")):
                    continue
                repo = shown[len(label) + 1 :] if label and shown != label else ("" if label else shown)
                if (root / repo).is_dir():
                    views.append(FsRepoView(root, repo, root_label=label))
                    break
        return views
