"""Framework catalogs and the CSF 1.1 -> 2.0 crosswalk, loaded from data files.

Catalog files (``mappings/frameworks/<framework-id>.yaml``, or any ``*.yaml`` in ``frameworks/`` of a
``--mappings`` folder) have this shape::

    id: nist-csf-2.0                # framework id used everywhere
    title: NIST Cybersecurity Framework (CSF)
    version: "2.0"
    publisher: NIST
    source: [https://...]
    license: ...
    groups:                         # optional grouping levels, parents first
      - {id: GV, title: Govern, text: ...}
      - {id: GV.OC, title: Organizational Context, parent: GV, text: ...}
    controls:
      - id: GV.OC-01
        title: ...                  # official title (for CSF the verbatim subcategory text)
        label: ...                  # optional official long form (NHI1:2025)
        summary: ...                # optional description
        group: GV.OC                # optional group id
        url: ...                    # optional
        replaces: [ID.BE-2]         # optional ids of an earlier version

The crosswalk file (``mappings/frameworks/crosswalks/nist-csf-1.1-to-2.0.yaml``) lists each CSF 1.1 id
with its status (retained / withdrawn) and its CSF 2.0 successors, so a 1.1 id given anywhere a control
id is accepted resolves to 2.0 with a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nhi_evidence.model import Control, ControlGroup, Framework
from nhi_evidence.resources import mappings_dir

#: The frameworks shipped with the tool, in report order.
SHIPPED_FRAMEWORKS: tuple[str, ...] = ("owasp-nhi-top10-2025", "owasp-agentic-top10-2026", "nist-csf-2.0")


class CatalogError(Exception):
    """A catalog or crosswalk file is malformed; the message names the file and, when known, the line."""


@dataclass(frozen=True)
class CrosswalkEntry:
    """One CSF 1.1 subcategory and what became of it in CSF 2.0."""

    old_id: str
    """CSF 1.1 id as NIST wrote it (PR.AC-4)."""
    padded_id: str
    """Zero-padded form used by the NIST Reference Tool (PR.AC-04)."""
    status: str
    """retained or withdrawn."""
    targets: tuple[str, ...]
    """CSF 2.0 successor ids."""
    note: str
    """NIST's withdrawal note or a retained-id note."""


@dataclass(frozen=True)
class Resolution:
    """The answer to "which control is this id?"."""

    framework: Framework
    """Framework holding the control(s)."""
    controls: tuple[Control, ...]
    """The control, or the CSF 2.0 successors of a CSF 1.1 id."""
    note: str = ""
    """Visible note when the id was translated (CSF 1.1 -> 2.0) or is withdrawn."""


def _yaml_file(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise CatalogError(f"{path}: line {line}: invalid YAML ({exc.problem})") from None
    except yaml.YAMLError:
        raise CatalogError(f"{path}: invalid YAML") from None


def _line_of_id(path: Path, control_id: str) -> str:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(rf"\bid:\s*['\"]?{re.escape(control_id)}['\"]?\s*$", line):
                return f"line {number}: "
    except OSError:
        pass
    return ""


def load_framework(path: Path) -> Framework:
    """Load and check one catalog file."""
    raw = _yaml_file(path)
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: a catalog must be a mapping with id, title, version and controls")
    for key in ("id", "title", "version", "controls"):
        if key not in raw:
            raise CatalogError(f"{path}: missing required key '{key}'")
    framework_id = str(raw["id"])
    if not isinstance(raw["controls"] or [], list) or not isinstance(raw.get("groups") or [], list):
        raise CatalogError(f"{path}: 'controls' and 'groups' must be lists")
    for index, g in enumerate(raw.get("groups") or ()):
        if not isinstance(g, dict) or "id" not in g:
            raise CatalogError(f"{path}: group #{index + 1} needs at least 'id'")
    groups = tuple(
        ControlGroup(str(g["id"]), str(g.get("title", "")), str(g.get("parent", "")), str(g.get("text", "")))
        for g in raw.get("groups") or ()
    )
    group_ids = {g.id for g in groups}
    controls: list[Control] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["controls"] or ()):
        if not isinstance(item, dict) or "id" not in item or "title" not in item:
            hint = _line_of_id(path, str(item["id"])) if isinstance(item, dict) and "id" in item else ""
            raise CatalogError(f"{path}: {hint}control #{index + 1} needs at least 'id' and 'title'")
        control_id = str(item["id"])
        if control_id in seen:
            raise CatalogError(f"{path}: {_line_of_id(path, control_id)}duplicate control id '{control_id}'")
        seen.add(control_id)
        group = str(item.get("group", ""))
        if group and groups and group not in group_ids:
            raise CatalogError(
                f"{path}: {_line_of_id(path, control_id)}control '{control_id}' names unknown group '{group}'"
            )
        controls.append(
            Control(
                id=control_id,
                title=str(item["title"]),
                framework=framework_id,
                label=str(item.get("label", "")),
                summary=str(item.get("summary", "")),
                group=group,
                url=str(item.get("url", "")),
                replaces=tuple(str(r) for r in item.get("replaces") or ()),
            )
        )
    source = raw.get("source") or ()
    return Framework(
        id=framework_id,
        title=str(raw["title"]),
        version=str(raw["version"]),
        controls=tuple(controls),
        groups=groups,
        source=tuple(str(s) for s in ([source] if isinstance(source, str) else source)),
        license=str(raw.get("license", "")),
        publisher=str(raw.get("publisher", "")),
    )


def load_frameworks(extra_dirs: Sequence[Path] = ()) -> list[Framework]:
    """The shipped frameworks (in SHIPPED_FRAMEWORKS order) followed by those of extra folders.

    A framework id defined twice is an error naming both files.
    """
    files = sorted((mappings_dir() / "frameworks").glob("*.yaml"))
    for folder in extra_dirs:
        files.extend(sorted((folder / "frameworks").glob("*.yaml")))
    found: dict[str, tuple[Framework, Path]] = {}
    for path in files:
        framework = load_framework(path)
        if framework.id in found:
            raise CatalogError(f"{path}: framework id '{framework.id}' is already defined in {found[framework.id][1]}")
        found[framework.id] = (framework, path)
    order = {fid: i for i, fid in enumerate(SHIPPED_FRAMEWORKS)}
    return [f for f, _ in sorted(found.values(), key=lambda fp: (order.get(fp[0].id, len(order)), fp[0].id))]


def load_crosswalk() -> list[CrosswalkEntry]:
    """The CSF 1.1 -> 2.0 crosswalk."""
    path = mappings_dir() / "frameworks" / "crosswalks" / "nist-csf-1.1-to-2.0.yaml"
    raw = _yaml_file(path)
    try:
        return [
            CrosswalkEntry(
                old_id=str(e["id"]),
                padded_id=str(e.get("padded_id", e["id"])),
                status=str(e["status"]),
                targets=tuple(str(t) for t in e.get("targets") or ()),
                note=str(e.get("note", "")),
            )
            for e in raw["entries"]
        ]
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"{path}: malformed crosswalk ({exc})") from None


def _normalise(control_id: str) -> str:
    return control_id.strip().upper()


def resolve_control(
    control_id: str, frameworks: Iterable[Framework], crosswalk: Sequence[CrosswalkEntry] | None = None
) -> list[Resolution]:
    """Find a control by id in any framework; a CSF 1.1 id resolves to its CSF 2.0 successor(s).

    Ids are matched case-insensitively; ``NHI1:2025`` matches through the control's label.
    Returns [] when nothing matches.
    """
    wanted = _normalise(control_id)
    frameworks = list(frameworks)
    matches: list[Resolution] = []
    for framework in frameworks:
        for control in framework.controls:
            if _normalise(control.id) == wanted or (control.label and _normalise(control.label) == wanted):
                matches.append(Resolution(framework, (control,)))
    if matches:
        return matches
    entries = crosswalk if crosswalk is not None else load_crosswalk()
    csf = next((f for f in frameworks if f.id == "nist-csf-2.0"), None)
    if csf is None:
        return []
    for entry in entries:
        if wanted in (_normalise(entry.old_id), _normalise(entry.padded_id)):
            # A successor is a subcategory, or (for a few withdrawn ids) a whole category.
            targets: list[Control] = []
            for target in entry.targets:
                successor = csf.control(target)
                members = [successor] if successor is not None else [c for c in csf.controls if c.group == target]
                targets.extend(c for c in members if c not in targets)
            if entry.status == "withdrawn":
                note = f"CSF 1.1 {entry.old_id} is withdrawn in CSF 2.0"
                note += (
                    f" ({entry.note}); it resolves to {', '.join(entry.targets)}."
                    if entry.targets
                    else f" ({entry.note})."
                )
            else:
                note = f"CSF 1.1 {entry.old_id} is retained in CSF 2.0 as {', '.join(entry.targets)}."
            return [Resolution(csf, tuple(targets), note)]
    return []
