"""Helpers for the assistant collector and probe tests: writing trees, collecting, placing corpus files."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nhi_test_support import SHARED

from nhi_evidence.clock import fixed_clock
from nhi_evidence.collectors.interface import CollectorOutput, RepoContext, RepositoryCollector
from nhi_evidence.files import FsRepoView
from nhi_evidence.model import Subject

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
CORPUS = SHARED / "corpus"


def write(root: Path, files: Mapping[str, str | bytes | dict[str, Any]]) -> Path:
    """Write files under root (dicts as JSON) and return root."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_text(json.dumps(content, indent=2))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def collect(collector: type[RepositoryCollector], root: Path, **options: Any) -> CollectorOutput:
    """Run one repository collector over root."""
    return collector().collect(RepoContext(FsRepoView(root, ""), fixed_clock(NOW), options))


def only_subject(out: CollectorOutput) -> Subject:
    """The single subject of a collector output."""
    assert len(out.subjects) == 1, [s.name for s in out.subjects]
    return out.subjects[0]


def corpus_files(*folders: str) -> list[tuple[str, str]]:
    """(corpus file, original path) for every corpus file in the given folders, from PROVENANCE.tsv."""
    provenance = CORPUS / "PROVENANCE.tsv"
    if not provenance.is_file():
        return []
    with provenance.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted((row["file"], row["path"]) for row in rows if row["file"].split("/", 1)[0] in folders)


def place(root: Path, corpus_file: str, original: str) -> Path:
    """Copy a corpus file to its original path under root."""
    target = root / original
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / corpus_file, target)
    return root


def outcome_of(out: CollectorOutput) -> str:
    """evidence, skip or error: how a collector treated a corpus file."""
    if out.evidence:
        return "evidence"
    if out.errors:
        return "error"
    return "skip"


def rendered(out: CollectorOutput) -> str:
    """Everything a collector output would put in outputs (subjects, evidence, skips, errors) as text."""
    parts = [*out.subjects, *out.evidence, *out.skips, *out.errors]
    return json.dumps([asdict(p) for p in parts], default=str, ensure_ascii=False)
