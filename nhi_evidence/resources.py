"""Locate the data folders the tool needs at run time: ``mappings/`` and ``templates/``.

In a checkout (and an editable install) they are top-level folders of the project; in a wheel they
are packaged under ``nhi_evidence/_data/`` (see ``[tool.hatch.build.targets.wheel.force-include]`` in
pyproject.toml). Both layouts are looked up, packaged first.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Path of the ``mappings`` or ``templates`` folder; raises FileNotFoundError when neither layout has it."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name}/ data folder is missing from this installation")


def mappings_dir() -> Path:
    """The shipped framework catalogs and control mappings."""
    return data_dir("mappings")


def templates_dir() -> Path:
    """The shipped report templates."""
    return data_dir("templates")
