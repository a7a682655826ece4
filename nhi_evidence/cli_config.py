"""Configuration on the command line: ``--config`` / ``--no-config``, merging, and ``nhi-evidence config show``.

The file format and discovery rules are in ``config.py``. Here the loaded file meets the command
line: a value the user typed (click's parameter source is not the default) wins over the file, and
the file wins over the defaults. The merged settings, with their origins, are kept in the click
context (``ctx.meta``) so a command reads scan-level settings (``fail_on``, ``organization``,
``period``) and the accepted risks from the same place.

Shell completion comes from click: ``eval "$(_NHI_EVIDENCE_COMPLETE=bash_source nhi-evidence)"``
(``zsh_source`` and ``fish_source`` for the other shells);
https://click.palletsprojects.com/en/stable/shell-completion/
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from nhi_evidence.config import KEYS, ConfigError, ProjectConfig, Setting, discover, effective
from nhi_evidence.probes import probe_definitions
from nhi_evidence.secretscan import redact_document
from nhi_evidence.textsafe import printable

F = TypeVar("F", bound=Callable[..., Any])

#: Parameters added by ``config_options``; they choose the file and never reach collectors.
CONFIG_PARAMS = frozenset({"config_file", "no_config"})

#: ``ctx.meta`` key holding (ProjectConfig, settings).
META_KEY = "nhi_evidence.config"

#: Configuration keys that map to a request parameter of ``source_options`` under another name.
_REQUEST_KEYS = {"paths": "paths", "mappings": "mapping_dirs", "frameworks": "frameworks", "jobs": "jobs"}

#: Configuration keys read by the scan command itself (not part of the request).
COMMAND_KEYS = ("fail_on", "organization", "period")


def config_options() -> list[Callable[[F], F]]:
    """The ``--config`` and ``--no-config`` options (part of ``source_options``)."""
    return [
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Configuration file (.nhi-evidence.toml or pyproject.toml); default: the one in the scanned root.",
        ),
        click.option("--no-config", is_flag=True, default=False, help="Do not read a configuration file."),
    ]


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def _load(
    ctx: click.Context, explicit: Path | None, roots: Collection[Path], disabled: bool, keys: Any
) -> ProjectConfig:
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"--config {explicit}: no such file")
    return discover(explicit, roots, disabled, keys, probe_definitions().keys())


def apply_config(source: Mapping[str, Any], request_params: Collection[str]) -> dict[str, Any]:
    """Merge the project configuration into the parameters of ``source_options``.

    Returns the parameters with file values filled in where the command line left the default; the
    configuration parameters themselves are removed. Raises ConfigError for a bad file. Outside a
    click context (library use) the parameters are returned unchanged, less the configuration ones.
    """
    merged = {k: v for k, v in source.items() if k not in CONFIG_PARAMS}
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return merged
    # Source options, less those the file sets as top-level keys (rotation_days, exclude).
    source_keys = [k for k in merged if k not in request_params and k not in KEYS]
    path_keys = {
        p.name for p in ctx.command.params if p.name in source_keys and isinstance(p.type, click.Path) and p.name
    }
    cli_paths = tuple(merged.get("paths") or ())
    config = _load(ctx, source.get("config_file"), cli_paths, bool(source.get("no_config")), source_keys)
    given: dict[str, Any] = {}
    for key, param in _REQUEST_KEYS.items():
        if param in merged and _given(ctx, param):
            given[key] = [str(p) for p in merged[param]] if key in ("paths", "mappings") else merged[param]
    for key in ("rotation_days", "exclude"):
        if key in merged and _given(ctx, key):
            given[key] = merged[key]
    for key in source_keys:
        if _given(ctx, key):
            given[f"sources.{key}"] = merged[key]
    for key in COMMAND_KEYS:
        if key in ctx.params and _given(ctx, key):
            given[key] = ctx.params[key]
    settings = effective(config, given, path_keys)
    ctx.meta[META_KEY] = (config, settings)
    merged["paths"] = tuple(Path(p) for p in settings["paths"].value)
    merged["mapping_dirs"] = tuple(Path(p) for p in settings["mappings"].value)
    merged["frameworks"] = tuple(settings["frameworks"].value)
    merged["jobs"] = settings["jobs"].value
    if settings["rotation_days"].value is not None:
        merged["rotation_days"] = settings["rotation_days"].value
    if settings["exclude"].value:
        merged["exclude"] = list(settings["exclude"].value)
    for key, setting in settings.items():
        if key.startswith("sources."):
            merged[key[len("sources.") :]] = setting.value
    return merged


def loaded() -> tuple[ProjectConfig, dict[str, Setting]] | None:
    """The configuration merged by ``apply_config`` for the current command, if any."""
    ctx = click.get_current_context(silent=True)
    # click shares ``meta`` between a context and its parents and children.
    return ctx.meta.get(META_KEY) if ctx is not None else None


def setting(key: str, value: Any) -> Any:
    """A command-level setting (``fail_on``, ``organization``, ``period``): merged value, else ``value``."""
    found = loaded()
    if found is None or key not in found[1]:
        return value
    return found[1][key].value


def _show_value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@click.group("config")
def config_group() -> None:
    """Inspect the project configuration."""


@config_group.command("show")
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def config_show(path: Path | None, config_file: Path | None, fmt: str) -> None:
    """Print the effective configuration for PATH (default: the current folder) and where each value came from."""
    ctx = click.get_current_context()
    # The options of ``source_options`` tell which source options exist and which of them take paths.
    from nhi_evidence.cli import REQUEST_PARAMS, source_options

    def probe_options(**_: Any) -> None:
        """Never called: decorated only to list the source options."""

    declared: list[click.Parameter] = getattr(source_options(probe_options), "__click_params__", [])
    params = [p for p in declared if p.name and p.name not in REQUEST_PARAMS and p.name not in KEYS]
    source_keys = [p.name for p in params if p.name]
    path_keys = {p.name for p in params if p.name and isinstance(p.type, click.Path)}
    try:
        config = _load(ctx, config_file, (path,) if path else (), False, source_keys)
    except ConfigError as exc:
        click.echo(f"nhi-evidence: error: {printable(str(exc))}", err=True)
        sys.exit(2)
    # A configuration file should hold references only; a secret written there anyway is not echoed.
    settings = {
        key: Setting(redact_document(s.value, key=key.rpartition(".")[2])[0], s.source)
        for key, s in effective(config, {}, path_keys).items()
    }
    if fmt == "json":
        document = {
            "file": str(config.file) if config.file else None,
            "settings": {k: {"value": s.value, "source": s.source} for k, s in settings.items()},
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))
        return
    click.echo(f"Configuration file: {printable(config.label) if config.file else '(none found; defaults apply)'}")
    width = max(len(k) for k in settings)
    for key, value in settings.items():
        if key in ("accepted_risks", "suppressed_probes"):
            entries = value.value
            click.echo(f"{key:<{width}}  {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}  [{value.source}]")
            for entry in entries:
                click.echo(f"{'':<{width}}    - {printable(_show_value(entry))}")
            continue
        click.echo(f"{key:<{width}}  {printable(_show_value(value.value))}  [{printable(value.source)}]")
    click.echo("Command-line options override these values; see 'nhi-evidence scan --help'.")
