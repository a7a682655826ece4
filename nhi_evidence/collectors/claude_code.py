"""Claude Code, repository level: settings, project MCP servers, instructions, agents and commands.

Files read (relative to the repository):

- ``.claude/settings.json``: the team's shared settings (committed).
- ``.claude/settings.local.json``: personal settings for this project. Claude Code creates it for
  "don't ask again" answers and expects git to ignore it, so finding it in the repository is itself
  evidence (recorded in ``personal_settings``, with whether the repository's ``.gitignore`` ignores it).
- ``.mcp.json``: project-scoped MCP servers (``{"mcpServers": {name: {command, args, env} | {type, url,
  headers}}}``); ``${VAR}`` and ``${VAR:-default}`` are expanded by Claude Code and are references,
  never secrets.
- Presence of ``CLAUDE.md``, ``.claude/CLAUDE.md``, ``CLAUDE.local.md`` (instructions, scanned for
  secrets but not stored), ``.claude/agents/*.md`` (subagents; front matter ``tools``) and
  ``.claude/commands/*.md`` (slash commands; front matter ``allowed-tools``).

Precedence (https://code.claude.com/docs/en/settings#settings-precedence): managed > command line >
``settings.local.json`` > ``settings.json`` > user settings. Scalars from the local file win; arrays
(``permissions.allow/deny/ask``, ``additionalDirectories``, ``enabledMcpjsonServers``...) are merged
across files; objects (``env``, ``enabledPlugins``, ``sandbox``) merge key by key. Deny rules beat ask
rules, which beat allow rules, wherever they are written
(https://code.claude.com/docs/en/permissions). The facts record this effective project view
(``scope: effective``); user and managed settings are not in a repository and are not read here.

NOTE: Claude Code parses its settings and ``.mcp.json`` as strict JSON: a ``//`` comment or a trailing
comma makes it report "Invalid or malformed JSON" and ignore the whole file
(https://github.com/anthropics/claude-code/issues/83190, https://github.com/anthropics/claude-code/issues/9906),
so these files are parsed as strict JSON and such a file is recorded as a collection error. A UTF-8
byte order mark is accepted (the CLI tolerates it: https://github.com/anthropics/claude-code/issues/81355).
NOTE: ``permissions.disableBypassPermissionsMode`` takes the string ``"disable"``, not a boolean
(https://code.claude.com/docs/en/settings#permission-settings).

Facts: the shared keys of ``facts.py`` (``sources``, ``scope``, ``mcp_servers``, ``secrets``,
``permissions``, ``approval``, ``shell``, ``network``, ``sandbox``, ``secret_files_denied``, ``hooks``,
``telemetry``, ``instructions``, ``mcp_auto_enable``) plus:

``settings_present``   bool: a project or local settings file was parsed
``settings_unreadable`` settings files present but not parsed (malformed, skipped: see errors and skips)
``personal_settings``  ``{"present", "gitignored": bool|None, "path"}`` for ``.claude/settings.local.json``
``env_keys``           names of the variables set in ``env`` (values stay in the redacted evidence)
``api_key_helper``     ``{"set": bool, "path", "line"}``
``provider``           ``{"base_url_set", "bedrock", "vertex"}``: where model traffic goes
``plugins``            enabled plugin ids and extra marketplaces
``agents`` / ``commands``  ``[{"path", "name", "tools": [...]|None}]``
``unknown_keys``       top-level settings keys this collector does not interpret (kept, not failed on)
``hooks_disabled``     bool: ``disableAllHooks`` is true (``hooks`` is then empty)
``mcp_format``         ``mcpServers``, or ``bare`` when ``.mcp.json`` lists servers without the wrapper Claude Code expects

Capability tier (``capability.py``), from the evidence, highest first:

- release-actor: an allow rule (or a subagent's or slash command's tool list) covers a command that
  publishes, deploys or changes infrastructure (``npm publish``, ``terraform apply``, ``kubectl``,
  ``aws``, ``gh release``...), or an MCP server reaches a cloud or deployment provider, or cloud
  credentials are written in the configuration.
- repository-actor: an allow rule covers ``git push`` or ``gh`` (pull requests, comments), all shell
  commands are pre-approved (``Bash``, ``Bash(*)``, ``*``) or ``bypassPermissions`` is the default mode
  (any command, ``git push`` included, runs unasked with the developer's credentials), or a GitHub
  MCP server runs with a token, or a GitHub token is written in the configuration.
- local-actor: any pre-approved shell command, file edit or MCP tool, ``defaultMode`` ``acceptEdits``
  (or ``dontAsk``, ``auto``), extra directories, sandboxed commands auto-approved, or any MCP server.
- advisory: only instructions (``CLAUDE.md``) or settings that pre-approve nothing that acts.

A command also covered by a deny or ask rule is not pre-approved (deny and ask win over allow), so it
gives no signal. The tier describes what the configuration lets the assistant do without asking;
Claude Code can still propose any command, which a person then approves or not.

Docs: https://code.claude.com/docs/en/settings ; https://code.claude.com/docs/en/permissions ;
https://code.claude.com/docs/en/hooks ; https://code.claude.com/docs/en/mcp ; https://code.claude.com/docs/en/iam ;
https://code.claude.com/docs/en/monitoring-usage ; https://code.claude.com/docs/en/sub-agents ;
https://code.claude.com/docs/en/slash-commands ; https://docs.anthropic.com/en/docs/claude-code/settings
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, ClassVar

from nhi_evidence.capability import Signal
from nhi_evidence.collectors.assistant_common import as_list, build_subject, finish, mcp_facts, secret_facts
from nhi_evidence.collectors.interface import (
    CollectorOutput,
    LoadedSource,
    RepoContext,
    RepositoryCollector,
    load_source,
    make_evidence,
    read_raw,
)
from nhi_evidence.facts import secret_record
from nhi_evidence.files import SourceSkipped, SourceUnreadable
from nhi_evidence.model import CollectionError, Evidence, Skip, Tier
from nhi_evidence.parsing import ParseError, decode_text, parse_yaml
from nhi_evidence.secretscan import redact_string

NAME = "claude-code"
KIND = "claude-code"
LABEL = "Claude Code"

PROJECT_SETTINGS = ".claude/settings.json"
LOCAL_SETTINGS = ".claude/settings.local.json"
PROJECT_MCP = ".mcp.json"
INSTRUCTION_FILES = ("CLAUDE.md", ".claude/CLAUDE.md", "CLAUDE.local.md")
AGENTS_DIR = ".claude/agents"
COMMANDS_DIR = ".claude/commands"
#: Most agent or command files read per folder (a repository with thousands is not a configuration).
MAX_MARKDOWN_FILES = 200

#: Folders never taken for sub-projects when looking for nested ``.claude`` folders.
_NOT_SUBPROJECTS = frozenset({"node_modules", "vendor", "venv", "__pycache__", "dist", "build", "target"})

#: Top-level settings keys documented at https://code.claude.com/docs/en/settings (others are kept as unknown).
KNOWN_KEYS = frozenset(
    {
        "$schema",
        "apiKeyHelper",
        "awsAuthRefresh",
        "awsCredentialExport",
        "cleanupPeriodDays",
        "env",
        "includeCoAuthoredBy",
        "attribution",
        "permissions",
        "hooks",
        "disableAllHooks",
        "allowManagedHooksOnly",
        "allowManagedPermissionRulesOnly",
        "model",
        "statusLine",
        "outputStyle",
        "forceLoginMethod",
        "forceLoginOrgUUID",
        "enableAllProjectMcpServers",
        "enabledMcpjsonServers",
        "disabledMcpjsonServers",
        "allowedMcpServers",
        "deniedMcpServers",
        "otelHeadersHelper",
        "sandbox",
        "enabledPlugins",
        "extraKnownMarketplaces",
        "skipDangerousModePermissionPrompt",
        "alwaysThinkingEnabled",
        "spinnerTipsEnabled",
        "language",
        "companyAnnouncements",
        "autoUpdatesChannel",
    }
)

#: Tools whose rules run shell commands (PowerShell on Windows).
SHELL_TOOLS = frozenset({"bash", "powershell"})
#: Tools that change files.
EDIT_TOOLS = frozenset({"edit", "write", "multiedit", "notebookedit"})
#: Rule specifiers that match every command.
_BLANKET_SPECIFIERS = frozenset({"*", "**", ":*", "*:*", " *"})

#: Commands that publish, deploy or change infrastructure: an allow rule covering one makes a release actor.
RELEASE_COMMANDS: tuple[str, ...] = (
    "npm publish",
    "yarn publish",
    "yarn npm publish",
    "pnpm publish",
    "bun publish",
    "cargo publish",
    "twine upload",
    "uv publish",
    "poetry publish",
    "gem push",
    "docker push",
    "terraform apply",
    "terraform destroy",
    "tofu apply",
    "pulumi up",
    "kubectl",
    "helm install",
    "helm upgrade",
    "aws",
    "gcloud",
    "az",
    "gh release",
    "vercel",
    "netlify deploy",
    "fly deploy",
    "flyctl deploy",
    "wrangler deploy",
    "wrangler publish",
    "firebase deploy",
    "serverless deploy",
    "sls deploy",
    "heroku",
    "eb deploy",
    "ansible-playbook",
    "supabase db push",
)
#: Commands that write to a remote repository or its pull requests and issues.
REPOSITORY_COMMANDS: tuple[str, ...] = (
    "git push",
    "gh pr create",
    "gh pr merge",
    "gh pr comment",
    "gh pr review",
    "gh issue create",
    "gh issue comment",
    "gh api",
    "gh repo create",
    "glab mr create",
)
#: MCP server name, package or URL fragments that reach a cloud or deployment provider.
_CLOUD_MCP_HINTS = (
    "aws",
    "cloudflare",
    "vercel",
    "netlify",
    "kubernetes",
    "k8s",
    "terraform",
    "azure",
    "gcp",
    "gcloud",
    "heroku",
    "supabase",
    "fly.io",
    "railway",
)

#: Secret-file categories a deny rule should cover, and the path fragments that cover each.
SECRET_FILE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "env files (.env)": (".env",),
    "secrets folders": ("secret",),
    "private keys (*.pem, *.key, ~/.ssh)": (".pem", ".key", "id_rsa", "id_ed25519", ".ssh", ".p12", ".pfx"),
    "credential files (~/.aws, .npmrc, credentials)": ("credential", ".aws", ".npmrc", ".netrc", ".pypirc", ".docker"),
}
#: Tools whose deny rules keep file content from the assistant.
_READ_TOOLS = frozenset({"read", "edit", "write", "grep", "glob", "bash", "powershell"})

_RULE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


# The rule helpers are pure functions of short strings that recur in every repository's settings;
# capability signals test every allow rule against every release and repository command.
@lru_cache(maxsize=65536)
def split_rule(rule: str) -> tuple[str, str | None]:
    """Split a permission rule ``Tool(specifier)`` into (tool, specifier); ``Tool`` gives (tool, None)."""
    match = _RULE.match(rule)
    if not match:
        return rule.strip(), None
    return match.group(1), match.group(2)


@lru_cache(maxsize=65536)
def is_blanket_shell(rule: str) -> bool:
    """True for rules that allow every shell command: ``*``, ``Bash``, ``Bash(*)``, ``Bash(**)``, ``Bash(:*)``."""
    if rule.strip() == "*":
        return True
    tool, spec = split_rule(rule)
    if tool.lower() not in SHELL_TOOLS:
        return False
    return spec is None or spec.strip() in _BLANKET_SPECIFIERS or spec.strip() == ""


def _command_prefix(spec: str) -> tuple[str, bool]:
    """A Bash rule specifier as (command prefix, is a prefix rule). ``git push:*`` -> ("git push", True)."""
    text = " ".join(spec.split())
    for suffix in (":*", " *", "*"):
        if text.endswith(suffix):
            return text[: -len(suffix)].strip(), True
    return text, False


@lru_cache(maxsize=65536)
def rule_covers(rule: str, command: str) -> bool:
    """True when an allow rule lets ``command`` (and its arguments) run: ``Bash(git *)`` covers ``git push``."""
    if is_blanket_shell(rule):
        return True
    tool, spec = split_rule(rule)
    if tool.lower() not in SHELL_TOOLS or spec is None:
        return False
    prefix, wildcard = _command_prefix(spec)
    if not prefix:
        return wildcard
    words, wanted = prefix.split(), command.split()
    # An exact or longer rule (``git push origin main``) allows that use of the command.
    if words[: len(wanted)] == wanted:
        return True
    # A prefix rule (``git *``) allows every command that starts with its words.
    return wildcard and wanted[: len(words)] == words


def _str_list(value: Any) -> list[str]:
    return [str(item) for item in as_list(value) if isinstance(item, str | int | float)]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def gitignore_matches(patterns: Sequence[str], path: str) -> bool:
    """Whether a path (relative to the folder holding the patterns) is ignored, by gitignore rules.

    An approximation of https://git-scm.com/docs/gitignore good for the few paths looked up here:
    patterns without a slash match any path component; others match from the folder; ``!`` negates;
    the last matching pattern wins.
    """
    parts = path.split("/")
    ignored = False
    for raw in patterns:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern.lstrip("/")
        pattern = pattern.lstrip("/")
        matched = False
        if not anchored:
            matched = any(fnmatch.fnmatchcase(part, pattern) for part in parts)
        else:
            prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
            matched = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes) or fnmatch.fnmatchcase(
                path, pattern.replace("**/", "*")
            )
        if matched:
            ignored = not negate
    return ignored


class ClaudeCodeCollector(RepositoryCollector):
    """Collects a repository's Claude Code settings, project MCP servers and instruction files."""

    name: ClassVar[str] = NAME
    description: ClassVar[str] = (
        "Claude Code project settings (.claude/settings.json, .claude/settings.local.json), .mcp.json, "
        "CLAUDE.md, subagents and slash commands."
    )
    docs_url: ClassVar[str] = "https://code.claude.com/docs/en/settings"
    marker_paths: ClassVar[tuple[str, ...]] = (".claude/", PROJECT_MCP, "CLAUDE.md", "CLAUDE.local.md")

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """Collect the Claude Code configuration of one repository (one subject when any file exists)."""
        out = CollectorOutput()
        project = self._settings(ctx, PROJECT_SETTINGS, out)
        local = self._settings(ctx, LOCAL_SETTINGS, out)
        mcp = load_source(ctx, NAME, PROJECT_MCP, "json", out)
        if mcp is not None and not isinstance(mcp.data, Mapping):
            out.errors.append(
                CollectionError(mcp.path, f"{mcp.path}: the top level is not a JSON object; no MCP server read.", NAME)
            )
        self._skip_unread_settings(ctx, out)
        extra_evidence: list[Evidence] = []
        instruction_secrets: list[dict[str, Any]] = []
        instructions = self._instructions(ctx, out, extra_evidence, instruction_secrets)
        agents = self._markdown_folder(ctx, AGENTS_DIR, ("tools",), out, extra_evidence, instruction_secrets)
        commands = self._markdown_folder(
            ctx, COMMANDS_DIR, ("allowed-tools",), out, extra_evidence, instruction_secrets
        )
        settings = [s for s in (project, local) if s is not None and isinstance(s.data, Mapping)]
        loaded = [s for s in (project, local, mcp) if s is not None]
        if not loaded and not instructions and not agents and not commands:
            return out

        facts: dict[str, Any] = {"scope": "effective", "instructions": instructions}
        facts["agents"] = agents
        facts["commands"] = commands
        facts["settings_present"] = bool(settings)
        facts["settings_unreadable"] = [
            ctx.view.display(relpath)
            for relpath, source in ((PROJECT_SETTINGS, project), (LOCAL_SETTINGS, local))
            if ctx.view.exists(relpath) and (source is None or not isinstance(source.data, Mapping))
        ]
        facts["personal_settings"] = self._personal(ctx, local)
        facts["mcp_servers"] = (
            mcp_facts(mcp, mcp.data, "", ("mcpServers",)) if mcp is not None and isinstance(mcp.data, Mapping) else []
        )
        # NOTE: Claude Code reads servers under "mcpServers" only (https://code.claude.com/docs/en/mcp); a bare
        # map of servers (seen in real files) is kept as intended configuration and flagged here.
        if mcp is not None and isinstance(mcp.data, Mapping) and facts["mcp_servers"]:
            facts["mcp_format"] = "mcpServers" if isinstance(mcp.data.get("mcpServers"), Mapping) else "bare"
        if settings:
            facts.update(effective_settings(settings))
        facts["secrets"] = [record for item in loaded for record in secret_facts(item)] + instruction_secrets
        signals = capability_signals(facts)
        signals.extend(self._tool_signals(agents + commands))
        if loaded:
            finish(KIND, ctx, out, loaded, facts, signals, extra_evidence)
            secrets = out.subjects[-1].facts["secrets"]
            texts = {item.path: item.text for item in loaded}
            for record in secrets:
                # The key alone can occur in several servers (``args``, ``env``): walk the pointer instead.
                line = pointer_line(texts.get(record["path"], ""), record["pointer"])
                if line is not None:
                    record["line"] = line
            secrets.extend(instruction_secrets)
            return out
        # Only instruction, agent or command files: a subject all the same (usually advisory).
        facts["sources"] = _unique(
            [*instructions, *[item["path"] for item in agents], *[item["path"] for item in commands]]
        )
        facts["secrets"] = instruction_secrets
        primary = facts["sources"][0]
        out.subjects.append(build_subject(KIND, ctx, primary, facts, signals, extra_evidence))
        return out

    # -- reading -----------------------------------------------------------------------------------

    def _settings(self, ctx: RepoContext, relpath: str, out: CollectorOutput) -> LoadedSource | None:
        loaded = load_source(ctx, NAME, relpath, "json", out)
        if loaded is not None and not isinstance(loaded.data, Mapping):
            out.errors.append(
                CollectionError(
                    loaded.path, f"{loaded.path}: the top level is not a JSON object; settings not read.", NAME
                )
            )
        return loaded

    def _skip_unread_settings(self, ctx: RepoContext, out: CollectorOutput) -> None:
        """Record settings-like files this collector does not assess as skips, with the reason.

        In ``.claude/``: templates and backups (``settings.json.tpl``, ``settings.example.json``), which
        Claude Code never reads. One folder down (``packages/api/.claude/``): settings of a sub-project,
        which Claude Code reads only when started in that folder; they are not the repository's own
        configuration and are named so that a monorepo's other assistants are not silently missed.
        """
        try:
            names = ctx.view.list_dir(".claude") if ctx.view.is_dir(".claude") else []
        except SourceUnreadable as exc:
            shown = ctx.view.display(".claude")
            out.errors.append(CollectionError(shown, f"Could not list {shown}: {exc.reason}.", NAME))
            names = []
        except SourceSkipped as exc:
            out.skips.append(Skip(ctx.view.display(".claude"), f"Not read: {exc.reason}.", NAME))
            names = []
        for name in names:
            if name.startswith("settings") and name not in ("settings.json", "settings.local.json"):
                out.skips.append(
                    Skip(
                        ctx.view.display(f".claude/{name}"),
                        "Not a file Claude Code reads (only settings.json and settings.local.json are).",
                        NAME,
                    )
                )
        try:
            children = ctx.view.list_dir("")
        except (SourceUnreadable, SourceSkipped):
            return
        for child in children[:MAX_MARKDOWN_FILES]:
            if child.startswith(".") or child in _NOT_SUBPROJECTS:
                continue
            folder = f"{child}/.claude"
            try:
                nested = ctx.view.list_dir(folder) if ctx.view.is_dir(folder) else []
            except (SourceUnreadable, SourceSkipped):
                continue
            for name in nested:
                if name.startswith("settings"):
                    out.skips.append(
                        Skip(
                            ctx.view.display(f"{folder}/{name}"),
                            f"Settings of the sub-folder {child}, read by Claude Code only when started there; "
                            "not assessed as the repository's configuration.",
                            NAME,
                        )
                    )

    def _read_text(self, ctx: RepoContext, relpath: str, out: CollectorOutput, evidence: list[Evidence]) -> str | None:
        """Read a Markdown file for presence and secrets; its text is never stored."""
        shown = ctx.view.display(relpath)
        raw = read_raw(ctx.view, NAME, relpath, out)
        if raw is None:
            return None
        try:
            text = decode_text(raw)
        except ParseError as exc:
            out.errors.append(CollectionError(shown, f"{shown}: {exc.message}.", NAME, exc.line))
            return None
        record = make_evidence(NAME, shown, "text", raw, None, ctx.clock, ctx.view.display_repo)
        evidence.append(
            Evidence(
                record.id,
                record.collector,
                record.source,
                "text/markdown",
                record.sha256,
                record.size,
                record.collected_at,
                None,
                record.repository,
            )
        )
        out.evidence.append(evidence[-1])
        return text

    def _scan_markdown(self, text: str, path: str, secrets: list[dict[str, Any]]) -> None:
        for number, line in enumerate(text.split("\n"), 1):
            _, found = redact_string(line)
            for detector, fp in found:
                secrets.append(secret_record(detector, fp, path, number, "", ""))

    def _instructions(
        self,
        ctx: RepoContext,
        out: CollectorOutput,
        evidence: list[Evidence],
        secrets: list[dict[str, Any]],
    ) -> list[str]:
        found = []
        for relpath in INSTRUCTION_FILES:
            if not ctx.view.exists(relpath):
                continue
            text = self._read_text(ctx, relpath, out, evidence)
            shown = ctx.view.display(relpath)
            if text is not None:
                self._scan_markdown(text, shown, secrets)
                found.append(shown)
        return found

    def _markdown_folder(
        self,
        ctx: RepoContext,
        folder: str,
        tool_keys: tuple[str, ...],
        out: CollectorOutput,
        evidence: list[Evidence],
        secrets: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        try:
            names = ctx.view.list_dir(folder) if ctx.view.is_dir(folder) else []
        except (SourceUnreadable, SourceSkipped) as exc:
            shown = ctx.view.display(folder)
            out.errors.append(CollectionError(shown, f"Could not list {shown}: {exc.reason}.", NAME))
            return []
        items = []
        markdown = [name for name in names if name.endswith(".md")]
        if len(markdown) > MAX_MARKDOWN_FILES:
            out.skips.append(
                Skip(
                    ctx.view.display(folder),
                    f"Only the first {MAX_MARKDOWN_FILES} of {len(markdown)} Markdown files were read.",
                    NAME,
                )
            )
        for name in markdown[:MAX_MARKDOWN_FILES]:
            relpath = f"{folder}/{name}"
            text = self._read_text(ctx, relpath, out, evidence)
            if text is None:
                continue
            shown = ctx.view.display(relpath)
            self._scan_markdown(text, shown, secrets)
            items.append({"path": shown, "name": name[:-3], "tools": _front_matter_tools(text, tool_keys)})
        return items

    def _personal(self, ctx: RepoContext, local: LoadedSource | None) -> dict[str, Any]:
        present = ctx.view.exists(LOCAL_SETTINGS)
        gitignored: bool | None = None
        if present:
            gitignored = False
            for folder, relative in (("", LOCAL_SETTINGS), (".claude", "settings.local.json")):
                try:
                    raw = ctx.view.read(f"{folder}/.gitignore" if folder else ".gitignore")
                    patterns = decode_text(raw).split("\n")
                except (FileNotFoundError, SourceSkipped, SourceUnreadable, ParseError):
                    continue
                if gitignore_matches(patterns, relative):
                    gitignored = True
        return {"present": present, "gitignored": gitignored, "path": ctx.view.display(LOCAL_SETTINGS)}

    def _tool_signals(self, items: Sequence[Mapping[str, Any]]) -> list[Signal]:
        signals = []
        for item in items:
            tools = item.get("tools") or []
            for rule in tools:
                for command in RELEASE_COMMANDS:
                    if rule_covers(rule, command) and not is_blanket_shell(rule):
                        signals.append(
                            Signal(
                                Tier.RELEASE_ACTOR,
                                f"{item['path']} lets the assistant run `{command}` with the rule {rule}.",
                            )
                        )
                        break
        return signals


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def pointer_line(text: str, pointer: str) -> int | None:
    """Line of the value a JSON pointer names in a pretty-printed JSON text, or None when not found.

    Walks the pointer's tokens in order: an object key is the next ``"key"`` followed by a colon, an
    array index the n-th string after the array opens (arrays of strings: ``args``). Good for the
    layouts tools write; a miss returns None and the caller keeps its coarser line.
    """
    if not text or not pointer:
        return None
    position = 0
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if token.isdigit():
            opening = text.find("[", position)
            if opening < 0:
                return None
            strings = _JSON_STRING.finditer(text, opening)
            match = next((m for i, m in enumerate(strings) if i == int(token)), None)
            if match is None:
                return None
            position = match.start()
            continue
        found = re.compile(re.escape(f'"{token}"') + r"\s*:").search(text, position)
        if found is None:
            return None
        position = found.start()
    return text.count("\n", 0, position) + 1


def _front_matter_tools(text: str, keys: tuple[str, ...]) -> list[str] | None:
    """Tool rules declared in a Markdown file's YAML front matter (``tools: Read, Bash(git push:*)``)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        data = parse_yaml(match.group(1).encode("utf-8"))
    except ParseError:
        return None
    if not isinstance(data, Mapping):
        return None
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            return [part.strip() for part in re.split(r",(?![^(]*\))", value) if part.strip()]
        if isinstance(value, list):
            return [str(part) for part in value]
    return None


# -- the effective view --------------------------------------------------------------------------------


def _where(source: LoadedSource | None, *needles: str) -> dict[str, Any]:
    if source is None:
        return {"path": None, "line": None}
    return {"path": source.path, "line": source.line_of(*needles)}


def _last_with(settings: Sequence[LoadedSource], getter: Any) -> tuple[Any, LoadedSource | None]:
    """The value from the highest-precedence file that sets it (settings are ordered low -> high)."""
    for source in reversed(settings):
        value = getter(source.data)
        if value is not None:
            return value, source
    return None, None


def effective_settings(settings: Sequence[LoadedSource]) -> dict[str, Any]:
    """Facts of the effective project settings: ``settings`` ordered from lowest to highest precedence."""
    facts: dict[str, Any] = {}

    def perms(data: Any) -> Mapping[str, Any]:
        return _mapping(_mapping(data).get("permissions"))

    allow = _unique(rule for s in settings for rule in _str_list(perms(s.data).get("allow")))
    deny = _unique(rule for s in settings for rule in _str_list(perms(s.data).get("deny")))
    ask = _unique(rule for s in settings for rule in _str_list(perms(s.data).get("ask")))
    directories = _unique(d for s in settings for d in _str_list(perms(s.data).get("additionalDirectories")))
    # Findings about missing rules point at the shared settings.json: that is where the team's policy lives.
    first_perm = settings[0]
    rule_sources: dict[str, str] = {}
    for source in settings:
        for kind in ("allow", "deny", "ask"):
            for rule in _str_list(perms(source.data).get(kind)):
                rule_sources.setdefault(f"{kind}:{rule}", source.path)
    facts["permissions"] = {
        "allow": allow,
        "deny": deny,
        "ask": ask,
        "additional_directories": directories,
        "rule_sources": rule_sources,
        **_where(first_perm, '"allow"', '"permissions"'),
    }

    mode, mode_source = _last_with(settings, lambda d: perms(d).get("defaultMode"))
    skip_prompt, skip_source = _last_with(settings, lambda d: _mapping(d).get("skipDangerousModePermissionPrompt"))
    disable_bypass, disable_source = _last_with(settings, lambda d: perms(d).get("disableBypassPermissionsMode"))
    mode_text = str(mode) if mode is not None else None
    approval_where = (
        _where(mode_source, '"defaultMode"')
        if mode_source is not None
        else _where(skip_source, '"skipDangerousModePermissionPrompt"')
        if skip_source is not None
        else _where(settings[-1])
    )
    facts["approval"] = {
        "mode": mode_text,
        "auto_approve_all": None if mode_text is None else mode_text == "bypassPermissions",
        "skip_dangerous_prompt": skip_prompt is True,
        "skip_dangerous_prompt_path": skip_source.path if skip_source is not None and skip_prompt is True else None,
        "skip_dangerous_prompt_line": (
            skip_source.line_of('"skipDangerousModePermissionPrompt"')
            if skip_source is not None and skip_prompt is True
            else None
        ),
        "bypass_disabled": (disable_bypass == "disable") if disable_bypass is not None else None,
        "bypass_disabled_path": disable_source.path if disable_source is not None else None,
        **approval_where,
    }

    bash_denied = any(is_blanket_shell(rule) and rule.strip() != "*" for rule in deny)
    shell_rules = [r for r in allow if split_rule(r)[0].lower() in SHELL_TOOLS or r.strip() == "*"]
    blanket = [r for r in allow if is_blanket_shell(r)]
    shell_where = _where(_source_of_rule(settings, blanket[0]) if blanket else first_perm, *(f'"{r}"' for r in blanket))
    facts["shell"] = {
        "unrestricted": (bool(blanket) or mode_text == "bypassPermissions") and not bash_denied,
        "rules": shell_rules,
        "blanket_rules": blanket,
        **shell_where,
    }

    web_rules = [r for r in allow if split_rule(r)[0] == "WebFetch" or r.strip() == "*"]
    web_blanket = [
        r
        for r in web_rules
        if r.strip() == "*" or split_rule(r)[1] in (None, "*", "domain:*", "domain:**") or split_rule(r)[1] == ""
    ]
    facts["network"] = {
        "unrestricted": bool(web_blanket) or mode_text == "bypassPermissions",
        "rules": web_rules,
        **_where(first_perm, *(f'"{r}"' for r in web_blanket), '"allow"'),
    }

    sandbox: dict[str, Any] = {}
    for source in settings:
        sandbox.update(_mapping(_mapping(source.data).get("sandbox")))
    sandbox_source = next((s for s in reversed(settings) if _mapping(s.data).get("sandbox") is not None), None)
    network_block = _mapping(sandbox.get("network"))
    enabled = sandbox.get("enabled")
    facts["sandbox"] = {
        "enabled": enabled if isinstance(enabled, bool) else None,
        "network": (
            bool(network_block.get("allowedDomains") is not None) if "allowedDomains" in network_block else None
        ),
        "auto_allow_bash": sandbox.get("autoAllowBashIfSandboxed")
        if isinstance(sandbox.get("autoAllowBashIfSandboxed"), bool)
        else None,
        "allow_unsandboxed_commands": sandbox.get("allowUnsandboxedCommands")
        if isinstance(sandbox.get("allowUnsandboxedCommands"), bool)
        else None,
        **_where(sandbox_source, '"sandbox"'),
    }

    deny_read = _str_list(_mapping(sandbox.get("filesystem")).get("denyRead"))
    deny_source = next((src for src in settings if _str_list(perms(src.data).get("deny"))), first_perm)
    facts["secret_files_denied"] = secret_file_denial(deny, deny_read, deny_source)

    hooks: list[dict[str, Any]] = []
    for source in settings:
        hooks.extend(_hooks(source))
    disabled, _ = _last_with(settings, lambda d: _mapping(d).get("disableAllHooks"))
    # disableAllHooks turns every hook off: none of them runs, so none is recorded as configured.
    facts["hooks_disabled"] = disabled is True
    facts["hooks"] = [] if disabled is True else hooks

    env: dict[str, Any] = {}
    env_source: dict[str, LoadedSource] = {}
    for source in settings:
        for key, value in _mapping(_mapping(source.data).get("env")).items():
            env[str(key)] = value
            env_source[str(key)] = source
    facts["env_keys"] = sorted(env)
    facts["telemetry"] = _telemetry(env, env_source, settings)
    facts["provider"] = {
        "base_url_set": "ANTHROPIC_BASE_URL" in env,
        "bedrock": str(env.get("CLAUDE_CODE_USE_BEDROCK", "")) in ("1", "true"),
        "vertex": str(env.get("CLAUDE_CODE_USE_VERTEX", "")) in ("1", "true"),
    }

    helper, helper_source = _last_with(settings, lambda d: _mapping(d).get("apiKeyHelper"))
    facts["api_key_helper"] = {"set": bool(helper), **_where(helper_source, '"apiKeyHelper"')}

    enable_all, enable_source = _last_with(settings, lambda d: _mapping(d).get("enableAllProjectMcpServers"))
    enabled_servers = _unique(s for src in settings for s in _str_list(_mapping(src.data).get("enabledMcpjsonServers")))
    disabled_servers = _unique(
        s for src in settings for s in _str_list(_mapping(src.data).get("disabledMcpjsonServers"))
    )
    servers_source = next(
        (s for s in reversed(settings) if _mapping(s.data).get("enabledMcpjsonServers") is not None), None
    )
    facts["mcp_auto_enable"] = {
        "all": enable_all if isinstance(enable_all, bool) else None,
        "servers": enabled_servers,
        "disabled": disabled_servers,
        **(
            _where(enable_source, '"enableAllProjectMcpServers"')
            if enable_source is not None
            else _where(servers_source, '"enabledMcpjsonServers"')
        ),
    }

    plugins: dict[str, Any] = {}
    marketplaces: dict[str, Any] = {}
    for source in settings:
        plugins.update(_mapping(_mapping(source.data).get("enabledPlugins")))
        marketplaces.update(_mapping(_mapping(source.data).get("extraKnownMarketplaces")))
    facts["plugins"] = {
        "enabled": sorted(str(name) for name, on in plugins.items() if on is True),
        "marketplaces": sorted(str(name) for name in marketplaces),
    }
    facts["unknown_keys"] = sorted({str(k) for s in settings for k in _mapping(s.data) if k not in KNOWN_KEYS})
    return facts


def _source_of_rule(settings: Sequence[LoadedSource], rule: str) -> LoadedSource | None:
    for source in reversed(settings):
        permissions = _mapping(_mapping(source.data).get("permissions"))
        if rule in _str_list(permissions.get("allow")):
            return source
    return None


def secret_file_denial(deny: Sequence[str], deny_read: Sequence[str], source: LoadedSource | None) -> dict[str, Any]:
    """The ``secret_files_denied`` fact: which secret-file categories deny rules cover.

    ``denied`` is true when ``.env`` files are covered and at least one other category (secrets
    folders, private keys, credential files) is too: the two ways a repository's secrets usually sit
    on a developer's disk. A bare ``Read`` deny rule covers everything.
    """
    covering: list[str] = []
    covered: set[str] = set()
    candidates = [*deny, *(f"Read({path})" for path in deny_read)]
    for rule in candidates:
        tool, spec = split_rule(rule)
        if tool.lower() not in _READ_TOOLS:
            continue
        if spec is None and tool.lower() == "read":
            covered.update(SECRET_FILE_CATEGORIES)
            covering.append(rule)
            continue
        text = (spec or "").lower()
        hits = {name for name, fragments in SECRET_FILE_CATEGORIES.items() if any(f in text for f in fragments)}
        if hits:
            covered.update(hits)
            covering.append(rule)
    env_category = next(iter(SECRET_FILE_CATEGORIES))
    missing = [name for name in SECRET_FILE_CATEGORIES if name not in covered]
    denied = env_category in covered and len(covered) >= 2
    line = source.line_of(*(f'"{r}"' for r in covering), '"deny"', '"permissions"') if source else None
    return {
        "denied": denied,
        "rules": covering,
        "missing": missing,
        "path": source.path if source else None,
        "line": line,
    }


def _hooks(source: LoadedSource) -> list[dict[str, Any]]:
    records = []
    block = _mapping(_mapping(source.data).get("hooks"))
    for event, groups in block.items():
        for group in as_list(groups):
            if not isinstance(group, Mapping):
                continue
            matcher = group.get("matcher")
            for hook in as_list(group.get("hooks")):
                if not isinstance(hook, Mapping):
                    continue
                command = " ".join(
                    [
                        str(hook.get("command") or hook.get("url") or hook.get("prompt") or ""),
                        *_str_list(hook.get("args")),
                    ]
                ).strip()
                records.append(
                    {
                        "event": str(event),
                        "matcher": str(matcher) if matcher is not None else None,
                        "type": str(hook.get("type") or "command"),
                        "command": command,
                        "path": source.path,
                        "line": source.line_of(f'"{event}"'),
                    }
                )
    return records


def _telemetry(
    env: Mapping[str, Any], env_source: Mapping[str, LoadedSource], settings: Sequence[LoadedSource]
) -> dict[str, Any]:
    flag = env.get("CLAUDE_CODE_ENABLE_TELEMETRY")
    enabled = None if flag is None else str(flag).strip().lower() in ("1", "true", "yes", "on")
    exporters = [str(env[k]) for k in ("OTEL_LOGS_EXPORTER", "OTEL_METRICS_EXPORTER") if k in env]
    exporter = next((e for e in exporters if e and e != "none"), exporters[0] if exporters else None)
    source = env_source.get("CLAUDE_CODE_ENABLE_TELEMETRY")
    return {
        "enabled": enabled,
        "exporter": exporter,
        "endpoint_set": any(k.startswith("OTEL_EXPORTER_OTLP") and k.endswith("ENDPOINT") for k in env),
        "log_user_prompts": str(env.get("OTEL_LOG_USER_PROMPTS", "")) == "1",
        "nonessential_traffic_disabled": str(env.get("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "")) in ("1", "true"),
        **_where(source, '"CLAUDE_CODE_ENABLE_TELEMETRY"'),
    }


# -- capability ----------------------------------------------------------------------------------------


def capability_signals(facts: Mapping[str, Any]) -> list[Signal]:
    """Capability signals of a Claude Code configuration (rules in the module docstring)."""
    signals: list[Signal] = []
    permissions = _mapping(facts.get("permissions"))
    allow = [str(r) for r in permissions.get("allow", [])]
    sources = _mapping(permissions.get("rule_sources"))
    gates = [str(r) for r in [*permissions.get("deny", []), *permissions.get("ask", [])]]

    def gated(command: str) -> bool:
        return any(rule_covers(gate, command) for gate in gates)

    default_where = permissions.get("path") or "the project settings"
    approval = _mapping(facts.get("approval"))
    mode = approval.get("mode")
    if mode == "bypassPermissions":
        signals.append(
            Signal(
                Tier.REPOSITORY_ACTOR,
                f"{approval.get('path')} sets permissions.defaultMode to bypassPermissions: every tool, "
                "git push included, runs without asking.",
            )
        )
    elif mode in ("acceptEdits", "dontAsk", "auto"):
        signals.append(Signal(Tier.LOCAL_ACTOR, f"{approval.get('path')} sets permissions.defaultMode to {mode}."))
    for rule in allow:
        where = sources.get(f"allow:{rule}", default_where)
        if is_blanket_shell(rule):
            signals.append(
                Signal(
                    Tier.REPOSITORY_ACTOR,
                    f"{where} pre-approves every shell command with the rule {rule}, so git push and "
                    "other writes run without asking.",
                )
            )
            continue
        tool, _ = split_rule(rule)
        # Deny and ask rules win over allow rules: a command they cover is not pre-approved.
        release = next((c for c in RELEASE_COMMANDS if rule_covers(rule, c) and not gated(c)), None)
        if release is not None:
            signals.append(Signal(Tier.RELEASE_ACTOR, f"{where} pre-approves `{release}` with the rule {rule}."))
            continue
        repo_command = next((c for c in REPOSITORY_COMMANDS if rule_covers(rule, c) and not gated(c)), None)
        if repo_command is not None:
            signals.append(
                Signal(Tier.REPOSITORY_ACTOR, f"{where} pre-approves `{repo_command}` with the rule {rule}.")
            )
            continue
        if tool.lower() in SHELL_TOOLS:
            signals.append(Signal(Tier.LOCAL_ACTOR, f"{where} pre-approves shell commands ({rule})."))
        elif tool.lower() in EDIT_TOOLS:
            signals.append(Signal(Tier.LOCAL_ACTOR, f"{where} pre-approves file changes ({rule})."))
        elif tool.startswith("mcp__"):
            signals.append(Signal(Tier.LOCAL_ACTOR, f"{where} pre-approves MCP tools ({rule})."))
    directories = permissions.get("additional_directories") or []
    if directories:
        signals.append(
            Signal(
                Tier.LOCAL_ACTOR,
                f"{default_where} extends the assistant's reach to {len(directories)} folder(s) outside the project.",
            )
        )
    sandbox = _mapping(facts.get("sandbox"))
    if sandbox.get("enabled") is True and sandbox.get("auto_allow_bash") is not False:
        signals.append(
            Signal(Tier.LOCAL_ACTOR, f"{sandbox.get('path')} auto-approves shell commands inside the sandbox.")
        )
    for server in facts.get("mcp_servers") or []:
        text = " ".join(str(server.get(k) or "") for k in ("name", "package", "url", "command")).lower()
        hint = next((h for h in _CLOUD_MCP_HINTS if re.search(rf"(?<![a-z]){re.escape(h)}(?![a-z])", text)), None)
        if hint is not None and not server.get("disabled"):
            signals.append(
                Signal(
                    Tier.RELEASE_ACTOR,
                    f"The MCP server {server.get('name')} in {server.get('path')} reaches {hint}, whose tools "
                    "can deploy or change infrastructure and data.",
                )
            )
    for secret in facts.get("secrets") or []:
        detector = str(secret.get("detector"))
        if detector.startswith("aws"):
            signals.append(Signal(Tier.RELEASE_ACTOR, f"{secret.get('path')} holds cloud credentials ({detector})."))
        elif detector.startswith("github"):
            signals.append(Signal(Tier.REPOSITORY_ACTOR, f"{secret.get('path')} holds a GitHub token ({detector})."))
    return signals
