"""Normalising MCP server entries, whatever assistant's file they come from.

Claude Code (``.mcp.json``, ``~/.claude.json``), Cursor (``.cursor/mcp.json``), VS Code (``.vscode/mcp.json``,
key ``servers``), Gemini CLI (``mcpServers`` in settings), Codex (``[mcp_servers.<name>]`` in TOML) and
Continue (a list under ``mcpServers``) all describe an MCP server the same way at heart: a local
process (``command`` + ``args`` + ``env``) or a remote endpoint (``url``/``httpUrl``/``serverUrl`` +
``headers``). ``normalise_server`` turns one entry into the ``mcp_server`` fact every probe reads:

    {"name", "transport": stdio|http|sse|unknown, "command", "args", "url", "env_keys", "header_keys",
     "launcher": npx|uvx|pipx|bunx|pnpm|yarn|docker|local|remote|unknown, "package", "pin": exact|tag|digest|none|n/a,
     "pinned": true|false|null, "remote": bool, "insecure_http": bool, "trusted": bool|null,
     "tools": [...]|null, "path", "line", "pointer"}

``pinned`` is null when pinning does not apply (a local script, a remote URL). Values arrive already
redacted (``load_source`` redacts before collectors see anything).

Docs: https://modelcontextprotocol.io/specification (transports);
https://code.claude.com/docs/en/mcp ; https://code.visualstudio.com/docs/copilot/customization/mcp-servers ;
https://docs.npmjs.com/cli/commands/npx ; https://docs.astral.sh/uv/guides/tools/
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

#: npx/bunx/pnpm dlx/yarn dlx options that take a value (the value is not the package).
_NPX_VALUE_FLAGS = frozenset(
    {"-p", "--package", "-c", "--call", "--cache", "--registry", "--userconfig", "-w", "--workspace"}
)
#: uvx / pipx options that take a value.
_UVX_VALUE_FLAGS = frozenset(
    {
        "--from",
        "--with",
        "--python",
        "-p",
        "--index",
        "--index-url",
        "--extra-index-url",
        "--with-requirements",
        "--spec",
    }
)
_EXACT_NPM_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.\-]+)?$")
_EXACT_PY_VERSION = re.compile(r"^\d+(?:\.\d+)*(?:[a-z]+\d*)?(?:\.post\d+)?(?:\.dev\d+)?$")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - compared, not bound


def _basename(command: str) -> str:
    name = re.split(r"[\\/]", command.strip())[-1].lower()
    for suffix in (".cmd", ".exe", ".bat", ".ps1"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def split_npm_spec(spec: str) -> tuple[str, str | None]:
    """Split an npm package spec into (name, version or None): ``@scope/pkg@1.2.3`` -> (@scope/pkg, 1.2.3)."""
    if spec.startswith("@"):
        head, sep, version = spec[1:].partition("@")
        return "@" + head, (version if sep else None)
    name, sep, version = spec.partition("@")
    return name, (version if sep else None)


def _npm_pin(spec: str) -> tuple[str, str]:
    name, version = split_npm_spec(spec)
    if version is None or version in ("", "latest", "next", "beta", "canary"):
        return name, "none"
    if _EXACT_NPM_VERSION.match(version):
        return f"{name}@{version}", "exact"
    return f"{name}@{version}", "tag"


def _py_pin(spec: str) -> tuple[str, str]:
    for operator in ("==", "@"):
        if operator in spec:
            name, _, version = spec.partition(operator)
            if _EXACT_PY_VERSION.match(version.strip()):
                return f"{name}=={version.strip()}", "exact"
            return spec, "tag"
    if any(op in spec for op in (">=", "<=", "~=", ">", "<", "!=")):
        return spec, "tag"
    return spec, "none"


def _first_positional(args: list[str], value_flags: frozenset[str]) -> tuple[str | None, dict[str, str]]:
    """The first argument that is not an option or an option's value, and the options' values."""
    skip_next = False
    seen: dict[str, str] = {}
    for index, arg in enumerate(args):
        if skip_next:
            skip_next = False
            seen[args[index - 1]] = arg
            continue
        if arg in value_flags:
            skip_next = True
            continue
        if arg.startswith("-"):
            if "=" in arg:
                key, _, value = arg.partition("=")
                seen[key] = value
            continue
        return arg, seen
    return None, seen


def launcher_and_pin(command: str, args: list[str]) -> tuple[str, str | None, str]:
    """Classify how a stdio server is launched: (launcher, package spec or None, pin).

    pin is ``exact`` (a fixed version or digest), ``tag`` (a mutable tag or a range), ``none`` (no
    version: whatever the registry serves today) or ``n/a`` (a local program, not a package).
    """
    words = [command, *args] if command else list(args)
    # Windows wrappers: `cmd /c npx ...`, `powershell -Command npx ...`.
    while words and _basename(words[0]) in ("cmd", "powershell", "pwsh"):
        words = words[1:]
        while words and words[0].lower() in ("/c", "/k", "-command", "-c", "/s"):
            words = words[1:]
    if not words:
        return "unknown", None, "n/a"
    tool = _basename(words[0])
    rest = words[1:]
    if tool in ("pnpm", "yarn") and rest[:1] == ["dlx"]:
        tool, rest = tool, rest[1:]
    if tool in ("npx", "bunx", "pnpx") or (tool in ("pnpm", "yarn") and words[1:2] == ["dlx"]):
        positional, options = _first_positional(rest, _NPX_VALUE_FLAGS)
        spec = options.get("-p") or options.get("--package") or positional
        if spec is None:
            return tool, None, "none"
        package, pin = _npm_pin(spec)
        return tool, package, pin
    if tool in ("uvx", "pipx") or (tool == "uv" and rest[:2] == ["tool", "run"]):
        if tool == "pipx" and rest[:1] == ["run"]:
            rest = rest[1:]
        if tool == "uv":
            rest, tool = rest[2:], "uvx"
        positional, options = _first_positional(rest, _UVX_VALUE_FLAGS)
        spec = options.get("--from") or options.get("--spec") or positional
        if spec is None:
            return tool, None, "none"
        if spec.startswith(("git+", "http://", "https://", "file:", ".", "/")):
            pin = "exact" if re.search(r"@[0-9a-f]{40}\b", spec) else "tag" if "@" in spec else "none"
            return tool, spec, pin
        package, pin = _py_pin(spec)
        return tool, package, pin
    if tool in ("docker", "podman"):
        if rest[:1] == ["run"]:
            positional, _ = _first_positional(
                rest[1:],
                frozenset(
                    {
                        "-e",
                        "--env",
                        "-v",
                        "--volume",
                        "--name",
                        "--network",
                        "-p",
                        "--publish",
                        "-u",
                        "--user",
                        "--env-file",
                        "-w",
                        "--workdir",
                        "--entrypoint",
                        "--platform",
                        "--mount",
                    }
                ),
            )
            if positional is None:
                return tool, None, "none"
            if "@sha256:" in positional:
                return tool, positional, "exact"
            image_tag = positional.rsplit("/", 1)[-1]
            if ":" in image_tag and not image_tag.endswith(":latest"):
                return tool, positional, "tag"
            return tool, positional, "none"
        return tool, None, "n/a"
    return "local", None, "n/a"


def _as_str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def normalise_server(
    name: str,
    entry: Mapping[str, Any],
    path: str,
    pointer: str,
    line: int | None = None,
) -> dict[str, Any]:
    """The ``mcp_server`` fact for one server entry (values already redacted)."""
    command = entry.get("command")
    args = _as_str_list(entry.get("args"))
    if isinstance(command, list):  # some files put the whole argv in `command`
        argv = [str(c) for c in command]
        command, args = (argv[0] if argv else ""), argv[1:] + args
    command = str(command) if command is not None else ""
    # Remote endpoints: `url` (Claude, Cursor, VS Code), `httpUrl` (Gemini), `serverUrl` (Windsurf),
    # or Cursor's `transport: {type, url}` variant.
    raw_transport = entry.get("transport")
    transport_block: Mapping[str, Any] = raw_transport if isinstance(raw_transport, Mapping) else {}
    url_value = entry.get("url") or entry.get("httpUrl") or entry.get("serverUrl") or transport_block.get("url") or ""
    url = str(url_value) if url_value else ""
    declared_value = entry.get("type") or (raw_transport if isinstance(raw_transport, str) else None)
    declared = str(declared_value or transport_block.get("type") or "").lower()
    if url:
        transport = "sse" if "sse" in declared else "http"
    elif command:
        transport = "stdio"
    else:
        transport = declared or "unknown"
    if transport in ("streamable-http", "streamablehttp", "http-stream"):
        transport = "http"
    raw_env, raw_headers = entry.get("env"), entry.get("headers")
    env: Mapping[str, Any] = raw_env if isinstance(raw_env, Mapping) else {}
    headers: Mapping[str, Any] = raw_headers if isinstance(raw_headers, Mapping) else {}
    if not headers and isinstance(entry.get("http_headers"), Mapping):  # Codex
        headers = entry["http_headers"]
    if url:
        launcher, package, pin = "remote", None, "n/a"
    elif command:
        launcher, package, pin = launcher_and_pin(command, args)
    else:
        launcher, package, pin = "unknown", None, "n/a"
    insecure = False
    if url:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            # A redacted credential (``[redacted ...]``) in the authority parses as a bad IPv6 literal.
            authority = url.split("//", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
            host = authority.rsplit(":", 1)[0].lower()
        insecure = url.lower().startswith("http://") and host not in _LOCAL_HOSTS
    trusted = entry.get("trust")
    tools = entry.get("tools") if isinstance(entry.get("tools"), list) else None
    return {
        "name": name,
        "transport": transport,
        "command": command,
        "args": args,
        "url": url,
        "env_keys": sorted(str(k) for k in env),
        "header_keys": sorted(str(k) for k in headers),
        "launcher": launcher,
        "package": package,
        "pin": pin,
        "pinned": None if pin == "n/a" else pin == "exact",
        "remote": bool(url),
        "insecure_http": insecure,
        "trusted": trusted if isinstance(trusted, bool) else None,
        "tools": [str(t) for t in tools] if tools is not None else None,
        "disabled": bool(entry.get("disabled", False)),
        "path": path,
        "line": line,
        "pointer": pointer,
    }


def server_entries(
    document: Any, wrappers: tuple[str, ...] = ("mcpServers", "servers")
) -> tuple[str, list[tuple[str, Mapping[str, Any]]]]:
    """Find the server map in a document: (wrapper key used, [(name, entry)]).

    Files in the wild use ``mcpServers`` (Claude, Cursor, Gemini), ``servers`` (VS Code), a list of
    named entries (Continue), or no wrapper at all (a bare map of servers). The wrapper key is ""
    for a bare map and "?" when nothing server-like was found.
    """
    if not isinstance(document, Mapping):
        return "?", []
    for key in wrappers:
        block = document.get(key)
        if isinstance(block, Mapping):
            return key, [(str(n), e) for n, e in block.items() if isinstance(e, Mapping)]
        if isinstance(block, list):
            named = [(str(e.get("name", f"#{i}")), e) for i, e in enumerate(block) if isinstance(e, Mapping)]
            return key, named
    bare = [
        (str(n), e)
        for n, e in document.items()
        if isinstance(e, Mapping) and ({"command", "url", "httpUrl", "serverUrl"} & e.keys())
    ]
    if bare:
        return "", bare
    return "?", []
