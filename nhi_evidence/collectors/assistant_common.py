"""Building blocks shared by the assistant configuration collectors and the workstation scan.

The Cursor, Copilot, Codex, Gemini CLI, Aider and Continue collectors (and Claude Code's) use them. Each of those collectors reads a handful of files of one assistant, turns them into the shared facts
documented in ``nhi_evidence/facts.py`` plus a few keys of its own, and returns one subject per
repository (or per home folder). What they have in common lives here: turning the secrets
``load_source`` found into ``secrets`` facts, normalising MCP servers, noting instruction files, and
building the subject with its capability tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nhi_evidence.capability import Signal, classify
from nhi_evidence.collectors.interface import CollectorOutput, LoadedSource, RepoContext, subject_id
from nhi_evidence.collectors.mcp import normalise_server, server_entries
from nhi_evidence.facts import secret_record
from nhi_evidence.files import SourceSkipped, SourceUnreadable
from nhi_evidence.model import CollectionError, Evidence, Subject, Tier

#: Display names of the assistant kinds, for subject names and messages.
DISPLAY: dict[str, str] = {
    "claude-code": "Claude Code",
    "cursor": "Cursor",
    "copilot": "GitHub Copilot",
    "codex": "OpenAI Codex",
    "gemini-cli": "Gemini CLI",
    "aider": "Aider",
    "continue": "Continue",
}

#: MCP server names or packages that act on GitHub with a token (a repository actor).
_GITHUB_MCP_HINTS = ("github",)


def scope_of(ctx: RepoContext) -> str:
    """``user`` when the collector runs over a home folder (the workstation scan), else ``project``."""
    return str(ctx.options.get("_scope", "project"))


def pointer_key(pointer: str) -> str:
    """Last token of a JSON pointer (unescaped), used to locate a value by its key."""
    token = pointer.rsplit("/", 1)[-1]
    return token.replace("~1", "/").replace("~0", "~")


def secret_facts(loaded: LoadedSource) -> list[dict[str, Any]]:
    """The ``secrets`` facts for every secret ``load_source`` found in one file (never the value)."""
    records = []
    for hit in loaded.secrets:
        key = hit.key or pointer_key(hit.pointer)
        line = loaded.line_of(f'"{key}"', f"{key}:", f"{key} =", key) if key and not key.isdigit() else None
        records.append(secret_record(hit.detector, hit.fingerprint, loaded.path, line, hit.pointer, hit.key))
    return records


def mcp_facts(
    loaded: LoadedSource,
    document: Any,
    base_pointer: str = "",
    wrappers: tuple[str, ...] = ("mcpServers", "servers"),
) -> list[dict[str, Any]]:
    """Normalised ``mcp_server`` facts of the server map found in document."""
    wrapper, entries = server_entries(document, wrappers)
    facts = []
    for index, (name, entry) in enumerate(entries):
        if wrapper and isinstance(document.get(wrapper), list):
            pointer = f"{base_pointer}/{wrapper}/{index}"
        else:
            escaped = name.replace("~", "~0").replace("/", "~1")
            pointer = f"{base_pointer}/{wrapper}/{escaped}" if wrapper else f"{base_pointer}/{escaped}"
        line = loaded.line_of(f'"{name}"', f"{name}:", f"name: {name}", f".{name}]", name)
        facts.append(normalise_server(name, entry, loaded.path, pointer, line))
    return facts


def present(ctx: RepoContext, candidates: Iterable[str]) -> list[str]:
    """Candidate paths (files or folders) that exist in the repository, as displayed paths."""
    found = []
    for candidate in candidates:
        if candidate.endswith("/"):
            folder = candidate.rstrip("/")
            try:
                names = ctx.view.list_dir(folder) if ctx.view.is_dir(folder) else []
            except (SourceSkipped, SourceUnreadable, OSError):
                names = []
            if names:
                found.append(ctx.view.display(folder) + "/")
        elif ctx.view.exists(candidate):
            found.append(ctx.view.display(candidate))
    return found


def list_files(
    ctx: RepoContext, folder: str, suffix: str, out: CollectorOutput | None = None, collector: str = ""
) -> list[str]:
    """Files directly in folder whose name ends with suffix (relative to the repository), sorted.

    A folder that exists but cannot be listed is recorded in ``out`` as a collection error (when given).
    """
    try:
        names = ctx.view.list_dir(folder) if ctx.view.is_dir(folder) else []
    except SourceSkipped:
        return []
    except (SourceUnreadable, OSError) as exc:
        if out is not None:
            shown = ctx.view.display(folder)
            reason = (
                exc.reason
                if isinstance(exc, SourceUnreadable)
                else "permission denied"
                if isinstance(exc, PermissionError)
                else "it could not be read"
            )
            out.errors.append(CollectionError(shown, f"Could not list {shown}: {reason}.", collector))
        return []
    return [f"{folder}/{name}" for name in names if name.endswith(suffix)]


def where(loaded: LoadedSource | None, *needles: str) -> dict[str, Any]:
    """``path`` and ``line`` of a setting, for facts."""
    if loaded is None:
        return {"path": None, "line": None}
    return {"path": loaded.path, "line": loaded.line_of(*needles)}


def get_path(document: Any, dotted: str) -> Any:
    """Value at a dotted path in nested mappings, or None."""
    node = document
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def as_list(value: Any) -> list[Any]:
    """A list from a value that may be a list, a scalar or absent."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def mcp_signals(kind: str, servers: Sequence[Mapping[str, Any]], secrets: Sequence[Mapping[str, Any]]) -> list[Signal]:
    """Capability signals every assistant with MCP servers shares."""
    label = DISPLAY.get(kind, kind)
    signals = []
    active = [s for s in servers if not s.get("disabled")]
    if active:
        names = ", ".join(sorted(str(s["name"]) for s in active)[:5])
        signals.append(
            Signal(
                Tier.LOCAL_ACTOR, f"{label} is configured with {len(active)} MCP server(s) ({names}) whose tools act."
            )
        )
    for server in active:
        text = " ".join(
            [str(server.get("name", "")), str(server.get("package") or ""), str(server.get("url") or "")]
        ).lower()
        credentials = bool(server.get("env_keys") or server.get("header_keys"))
        if any(hint in text for hint in _GITHUB_MCP_HINTS) and credentials:
            signals.append(
                Signal(
                    Tier.REPOSITORY_ACTOR,
                    f"{label} runs the GitHub MCP server {server['name']} with a credential, so it can act on repositories.",
                )
            )
    if secrets:
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{label} configuration holds {len(secrets)} inline credential(s)."))
    return signals


def build_subject(
    kind: str,
    ctx: RepoContext,
    primary: str,
    facts: dict[str, Any],
    signals: Sequence[Signal],
    evidence: Sequence[Evidence],
) -> Subject:
    """The assistant subject of one repository (or home folder) with its capability."""
    label = DISPLAY.get(kind, kind)
    scope = facts.get("scope", "project")
    where_text = ctx.repo or "."
    name = f"{label} user settings in {where_text}" if scope == "user" else f"{label} in {where_text}"
    capability = classify(signals, f"The {label} configuration grants no tools, credentials or write access.")
    return Subject(
        id=subject_id(kind, ctx.repo, primary),
        kind=kind,
        name=name,
        path=primary,
        # User-level subjects (a home folder) belong to no repository; project and effective ones do.
        repository="" if scope == "user" or ctx.options.get("_scope") == "user" else ctx.repo,
        capability=capability,
        facts=facts,
        evidence_ids=tuple(sorted({e.id for e in evidence})),
    )


def finish(
    kind: str,
    ctx: RepoContext,
    out: CollectorOutput,
    loaded: Sequence[LoadedSource],
    facts: dict[str, Any],
    signals: list[Signal],
    extra_evidence: Sequence[Evidence] = (),
) -> CollectorOutput:
    """Add the shared facts and the subject to out (nothing when no file of the assistant was read)."""
    if not loaded:
        return out
    facts.setdefault("sources", [item.path for item in loaded])
    facts.setdefault("scope", scope_of(ctx))
    servers = facts.setdefault("mcp_servers", [])
    secrets: list[dict[str, Any]] = []
    for item in loaded:
        secrets.extend(secret_facts(item))
    facts["secrets"] = secrets
    signals = [*signals, *mcp_signals(kind, servers, secrets)]
    out.subjects.append(
        build_subject(
            kind, ctx, loaded[0].path, facts, signals, [item.evidence for item in loaded] + list(extra_evidence)
        )
    )
    return out
