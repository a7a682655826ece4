"""Project configuration: ``[tool.nhi-evidence]`` in ``pyproject.toml`` or a ``.nhi-evidence.toml`` file.

Where it is read from, first match wins:

1. ``--config FILE`` (a ``.nhi-evidence.toml``-style file, or a ``pyproject.toml``);
2. ``.nhi-evidence.toml`` in the scanned root (the first PATH, or the current folder when none is given);
3. the ``[tool.nhi-evidence]`` table of ``pyproject.toml`` in that same folder.

``--no-config`` turns discovery off. Command-line options override the file; every effective value
keeps where it came from (``nhi-evidence config show``). Unknown keys are errors naming the file and
line, with the closest known key as a suggestion. Relative paths (``paths``, ``mappings`` and path-valued
source options) are taken relative to the folder holding the configuration file.

The format is TOML 1.0 (https://toml.io/en/v1.0.0); the ``[tool]`` table of ``pyproject.toml`` is
reserved for tools by PEP 518 (https://peps.python.org/pep-0518/#tool-table).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from nhi_evidence.parsing import ParseError, find_line, parse_toml

#: Name of the standalone configuration file looked for in the scanned root.
CONFIG_FILE = ".nhi-evidence.toml"
#: Table of ``pyproject.toml`` holding the configuration.
PYPROJECT_TABLE = "tool.nhi-evidence"

#: Where a value came from when neither the file nor the command line gave it.
DEFAULT = "default"
#: Where a value came from when the command line gave it.
COMMAND_LINE = "command line"

#: Every top-level key, with its default and a one-line description (``config show`` and the README).
KEYS: dict[str, tuple[Any, str]] = {
    "paths": ([], "Folders scanned when no PATH is given (relative to the configuration file)."),
    "sources": ({}, "Source options by name (inventory, audit_logs, github_org, ...), as on the command line."),
    "frameworks": ([], "Framework ids to report (empty: every loaded framework)."),
    "mappings": ([], "Extra framework and mapping folders, like --mappings."),
    "fail_on": (None, "Exit 1 when a failed, unaccepted check at or above this severity is found."),
    "rotation_days": (None, "Credential rotation policy in days, for the rotation probes."),
    "exclude": ([], "Glob patterns of repository folders not scanned (relative to the scanned root)."),
    "organization": ("", "Organisation name for reports."),
    "period": ("", "Assessment period label for reports."),
    "jobs": (0, "Worker processes for collection (0: one per core)."),
    "accepted_risks": ([], "Accepted risks: findings that stay reported but do not count against controls."),
    "suppressed_probes": ([], "Whole probes whose false findings are accepted (reported as a limitation)."),
}

#: Keys of one ``[[accepted_risks]]`` entry.
RISK_KEYS: dict[str, str] = {
    "probe": "Probe id (required).",
    "subject": "Subject id, as in the JSON output.",
    "repository": "Repository folder of the subject (a readable alternative to the subject id).",
    "kind": "Subject kind (claude-code, ci-workflow, ...), with repository.",
    "path": "Location path of the finding (glob allowed), to accept one finding of several.",
    "justification": "Why the risk is accepted (required).",
    "approved_by": "Who approved it (required).",
    "expires": "Expiry date, YYYY-MM-DD (required); after it the finding counts again.",
}

#: Keys of one ``[[suppressed_probes]]`` entry.
SUPPRESSION_KEYS: dict[str, str] = {
    "probe": "Probe id (required).",
    "justification": "Why the whole probe is suppressed (required).",
    "approved_by": "Who approved it (required).",
    "expires": "Expiry date, YYYY-MM-DD (required).",
}

_SEVERITIES = ("info", "low", "medium", "high", "critical")


class ConfigError(Exception):
    """The configuration file is malformed or holds an unknown key; the message names the file and line."""


@dataclass(frozen=True)
class AcceptedRisk:
    """One accepted risk (or, with no subject filter and ``whole_probe``, one suppressed probe)."""

    probe: str
    """Probe id the acceptance concerns."""
    justification: str
    """Why the organisation accepts the risk."""
    approved_by: str
    """Who approved the acceptance."""
    expires: date
    """Last day the acceptance holds; from the next day on the finding counts again."""
    subject: str = ""
    """Subject id to match (empty: any)."""
    repository: str | None = None
    """Repository folder to match (None: any; "" matches organisation-level subjects)."""
    kind: str = ""
    """Subject kind to match (empty: any)."""
    path: str = ""
    """Finding location path to match, glob allowed (empty: any)."""
    whole_probe: bool = False
    """True for an entry of ``suppressed_probes``: every false finding of the probe is accepted."""
    origin: str = ""
    """Where the entry was written (``file:line``), for messages."""

    def active(self, today: date) -> bool:
        """Whether the acceptance still holds on this day (the expiry day included)."""
        return today <= self.expires


@dataclass(frozen=True)
class Setting:
    """One effective configuration value and where it came from."""

    value: Any
    """The value."""
    source: str
    """``default``, ``command line``, or the configuration file (with the table for pyproject.toml)."""


@dataclass(frozen=True)
class ProjectConfig:
    """The loaded configuration file (before command-line overrides)."""

    file: Path | None = None
    """The file read, or None when none was found."""
    label: str = DEFAULT
    """How the file is named in provenance (``pyproject.toml [tool.nhi-evidence]``)."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Top-level keys the file sets (paths resolved), except accepted risks and suppressions."""
    accepted_risks: tuple[AcceptedRisk, ...] = ()
    """Entries of ``accepted_risks``."""
    suppressed_probes: tuple[AcceptedRisk, ...] = ()
    """Entries of ``suppressed_probes``."""

    @property
    def base(self) -> Path:
        """Folder relative paths in the file are resolved against."""
        return self.file.parent if self.file else Path()


def find_config(root: Path) -> Path | None:
    """The configuration file for a scanned root: ``.nhi-evidence.toml``, else a pyproject.toml with the table."""
    candidate = root / CONFIG_FILE
    if candidate.is_file():
        return candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = parse_toml(pyproject.read_bytes())
        except (OSError, ParseError):
            # A broken pyproject.toml that may not even concern this tool is not an error here;
            # --config pyproject.toml reports it.
            return None
        if isinstance(data, dict) and isinstance(data.get("tool"), dict) and "nhi-evidence" in data["tool"]:
            return pyproject
    return None


def _suggest(key: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if not close:
        # An abbreviation ("repo" for "repository") is as likely as a typo.
        close = [k for k in sorted(known) if len(key) >= 3 and k.startswith(key)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _where(path: Path, text: str, *needles: str) -> str:
    line = find_line(text, *needles)
    return f"{path}: line {line}" if line else str(path)


def _key_line(path: Path, text: str, key: str) -> str:
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.MULTILINE)
    if match:
        return f"{path}: line {text.count(chr(10), 0, match.start()) + 1}"
    return _where(path, text, key)


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a string or a list of strings")
    return list(value)


def _parse_date(value: Any, key: str, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: '{key}' must be a date written YYYY-MM-DD, not {value!r}")


def _entries(
    raw: Any, table: str, known: Mapping[str, str], path: Path, text: str, whole_probe: bool
) -> tuple[AcceptedRisk, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{_key_line(path, text, table)}: '{table}' must be an array of tables ([[{table}]])")
    out: list[AcceptedRisk] = []
    # The n-th [[table]] header starts the n-th entry; its probe line is the first after it.
    headers = [
        m.end() for m in re.finditer(rf"^[ \t]*\[\[[ \t]*(?:tool\.nhi-evidence\.)?{table}[ \t]*\]\]", text, re.M)
    ]
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {table} entry #{index + 1} must be a table")
        probe = entry.get("probe")
        start = headers[index] if len(headers) == len(raw) else 0
        where = _where(path, text[start:], f'"{probe}"', f"'{probe}'") if isinstance(probe, str) else str(path)
        if start and where != str(path):
            # _where counted lines from the header on: shift back to the file's numbering.
            line = int(where.rsplit(" ", 1)[1]) + text.count("\n", 0, start)
            where = f"{path}: line {line}"
        for key in entry:
            if key not in known:
                raise ConfigError(
                    f"{where}: unknown key '{key}' in {table} entry #{index + 1}{_suggest(key, known)}; "
                    f"known keys: {', '.join(known)}"
                )
        for key in ("probe", "justification", "approved_by"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigError(f"{where}: {table} entry #{index + 1} needs '{key}' (a non-empty string)")
        if "expires" not in entry:
            raise ConfigError(f"{where}: {table} entry #{index + 1} needs 'expires' (YYYY-MM-DD)")
        expires = _parse_date(entry["expires"], "expires", where)
        for key in ("subject", "repository", "kind", "path"):
            if key in entry and not isinstance(entry[key], str):
                raise ConfigError(f"{where}: '{key}' of {table} entry #{index + 1} must be a string")
        if not whole_probe and not any(key in entry for key in ("subject", "repository", "kind", "path")):
            raise ConfigError(
                f"{where}: {table} entry #{index + 1} names no subject: give 'subject', or 'repository' and 'kind', "
                "or 'path' (to accept a probe everywhere, use [[suppressed_probes]], which is reported as a limitation)"
            )
        out.append(
            AcceptedRisk(
                probe=str(entry["probe"]),
                justification=str(entry["justification"]).strip(),
                approved_by=str(entry["approved_by"]).strip(),
                expires=expires,
                subject=str(entry.get("subject", "")),
                repository=str(entry["repository"]).strip("/") if "repository" in entry else None,
                kind=str(entry.get("kind", "")),
                path=str(entry.get("path", "")),
                whole_probe=whole_probe,
                origin=where,
            )
        )
    return tuple(out)


def _check_value(key: str, value: Any, where: str) -> Any:
    """Type-check one top-level value and return it normalised."""
    if key in ("paths", "frameworks", "mappings", "exclude"):
        return _strings(value, key, where)
    if key == "sources":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: 'sources' must be a table of source options")
        return dict(value)
    if key == "fail_on":
        if value not in _SEVERITIES:
            raise ConfigError(f"{where}: 'fail_on' must be one of {', '.join(_SEVERITIES)}, not {value!r}")
        return value
    if key in ("rotation_days", "jobs"):
        minimum = 1 if key == "rotation_days" else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{where}: '{key}' must be a whole number of at least {minimum}, not {value!r}")
        return value
    if key in ("organization", "period"):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: '{key}' must be a string")
        return value
    return value  # pragma: no cover - every key of KEYS is handled above


def load_config(
    path: Path, source_keys: Collection[str] | None = None, probe_ids: Collection[str] | None = None
) -> ProjectConfig:
    """Read and check one configuration file (``.nhi-evidence.toml`` style, or pyproject.toml's table).

    ``source_keys``, when given, are the source option names the command accepts; a ``sources`` key
    outside them is an error with a suggestion. ``probe_ids``, when given, are the known probes; an
    accepted risk naming another probe is an error with a suggestion (a typo would otherwise silently
    accept nothing).
    """
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        document = parse_toml(raw_bytes)
    except ParseError as exc:
        raise ConfigError(f"{path}{':' + str(exc.line) if exc.line else ''}: {exc}") from None
    text = raw_bytes.decode("utf-8", errors="replace")
    label = str(path)
    if path.name == "pyproject.toml":
        tool = document.get("tool") if isinstance(document, dict) else None
        table = tool.get("nhi-evidence") if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(f"{path}: no [{PYPROJECT_TABLE}] table")
        document = table
        label = f"{path} [{PYPROJECT_TABLE}]"
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: [{PYPROJECT_TABLE}] must be a table")
    values: dict[str, Any] = {}
    risks: tuple[AcceptedRisk, ...] = ()
    suppressions: tuple[AcceptedRisk, ...] = ()
    for key, value in document.items():
        where = _key_line(path, text, key)
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key '{key}'{_suggest(key, KEYS)}; known keys: {', '.join(KEYS)}")
        if key == "accepted_risks":
            risks = _entries(value, key, RISK_KEYS, path, text, whole_probe=False)
        elif key == "suppressed_probes":
            suppressions = _entries(value, key, SUPPRESSION_KEYS, path, text, whole_probe=True)
        else:
            values[key] = _check_value(key, value, where)
    if source_keys is not None:
        for key in values.get("sources", {}):
            if key not in source_keys:
                raise ConfigError(
                    f"{_key_line(path, text, key)}: unknown source option '{key}'{_suggest(key, source_keys)}; "
                    f"known: {', '.join(sorted(source_keys)) or 'none'}"
                )
    if probe_ids is not None:
        for risk in (*risks, *suppressions):
            if risk.probe not in probe_ids:
                raise ConfigError(f"{risk.origin}: unknown probe '{risk.probe}'{_suggest(risk.probe, probe_ids)}")
    base = path.parent
    for key in ("paths", "mappings"):
        if key in values:
            values[key] = [os.path.normpath(base / p) if not Path(p).is_absolute() else p for p in values[key]]
    return ProjectConfig(path, label, values, risks, suppressions)


def discover(
    explicit: Path | None,
    roots: Collection[Path],
    disabled: bool,
    source_keys: Collection[str] | None = None,
    probe_ids: Collection[str] | None = None,
) -> ProjectConfig:
    """The configuration for a run: ``--config``, else the file in the first root (or the current folder)."""
    if explicit is not None:
        return load_config(explicit, source_keys, probe_ids)
    if disabled:
        return ProjectConfig()
    root = next(iter(roots), Path())
    found = find_config(root)
    return load_config(found, source_keys, probe_ids) if found else ProjectConfig()


def effective(config: ProjectConfig, given: Mapping[str, Any], path_keys: Collection[str] = ()) -> dict[str, Setting]:
    """Every setting with its value and origin: command line (``given``), else the file, else the default.

    ``given`` holds the values the command line set explicitly, by configuration key; source options
    are given as ``sources.<name>``. The result is keyed the same way, in a stable order. Source
    options named in ``path_keys`` take paths, resolved against the configuration file's folder.
    """
    out: dict[str, Setting] = {}
    for key, (default, _) in KEYS.items():
        if key in ("accepted_risks", "suppressed_probes", "sources"):
            continue
        if key in given:
            out[key] = Setting(given[key], COMMAND_LINE)
        elif key in config.values:
            out[key] = Setting(config.values[key], config.label)
        else:
            out[key] = Setting(default, DEFAULT)
    file_sources = config.values.get("sources", {})
    names = sorted(set(file_sources) | {k[len("sources.") :] for k in given if k.startswith("sources.")})
    for name in names:
        if f"sources.{name}" in given:
            out[f"sources.{name}"] = Setting(given[f"sources.{name}"], COMMAND_LINE)
        else:
            value = file_sources[name]
            out[f"sources.{name}"] = Setting(
                resolve_relative(config, value) if name in path_keys else value, config.label
            )
    for key, entries in (("accepted_risks", config.accepted_risks), ("suppressed_probes", config.suppressed_probes)):
        out[key] = Setting(
            [
                {
                    k: v
                    for k, v in (
                        ("probe", r.probe),
                        ("subject", r.subject),
                        ("repository", r.repository),
                        ("kind", r.kind),
                        ("path", r.path),
                        ("justification", r.justification),
                        ("approved_by", r.approved_by),
                        ("expires", r.expires.isoformat()),
                    )
                    if v is not None and (v != "" or k == "repository")
                }
                for r in entries
            ],
            config.label if entries else DEFAULT,
        )
    return out


def resolve_relative(config: ProjectConfig, value: Any) -> Any:
    """A path-valued option from the file, resolved against the file's folder (lists element-wise)."""
    if isinstance(value, list):
        return [resolve_relative(config, v) for v in value]
    if isinstance(value, str) and value and not Path(value).is_absolute() and "://" not in value:
        return os.path.normpath(config.base / value)
    return value
