"""Every real configuration file of the reference corpus is processed without a crash.

The corpus (``../shared/corpus``) holds configuration files and workflows from public repositories;
``PROVENANCE.tsv`` names each file's repository and original path. The test rebuilds those
repositories (one folder per repository, each with a ``.git`` folder so it is found whatever
collectors are registered), scans them once, and classifies every corpus file as evidence (read and
parsed), skip (deliberately not read, with a reason) or error (recorded as a collection error naming
the file). Files of kinds no registered collector reads yet are counted as ``unread``; the figures
per kind are printed (``pytest -s``).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from nhi_test_support import SHARED

from nhi_evidence.clock import fixed_clock
from nhi_evidence.model import Assessment
from nhi_evidence.pipeline import ScanRequest, assess

CORPUS = SHARED / "corpus"
PROVENANCE = CORPUS / "PROVENANCE.tsv"

#: Paths the Claude Code collector looks at: each such corpus file must be evidence, skip or error
#: (settings of a sub-folder's ``.claude``, one level down, are recorded as skips).
CLAUDE_PATHS = re.compile(r"^([^/.][^/]*/)?\.claude/settings|^(\.claude/|\.mcp\.json$|CLAUDE(\.local)?\.md$)")


@dataclass(frozen=True)
class CorpusFile:
    """One row of PROVENANCE.tsv."""

    file: str
    repo: str
    path: str

    @property
    def kind(self) -> str:
        return self.file.split("/", 1)[0]

    @property
    def shown(self) -> str:
        """The path as the scan reports it (relative to the scanned root)."""
        return f"{self.repo}/{self.path}"


def corpus_files() -> list[CorpusFile]:
    if not PROVENANCE.is_file():
        return []
    with PROVENANCE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [CorpusFile(row["file"], row["repo"], row["path"]) for row in rows]


FILES = corpus_files()
KINDS = sorted({f.kind for f in FILES})
pytestmark = pytest.mark.skipif(not FILES, reason=f"reference corpus not found at {CORPUS}")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, dict[str, str]]:
    """Rebuild the corpus repositories, scan them once, and classify each corpus file."""
    root = tmp_path_factory.mktemp("corpus")
    for item in FILES:
        repo = root / item.repo
        (repo / ".git").mkdir(parents=True, exist_ok=True)
        target = repo / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / item.file, target)
    clock = fixed_clock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    assessment = assess(ScanRequest(roots=(root,), jobs=1), clock)
    evidence = {e.source for e in assessment.evidence}
    errors = {e.path for e in assessment.errors}
    skips = {s.path for s in assessment.skips}
    classes: dict[str, str] = {}
    for item in FILES:
        if item.shown in errors:
            classes[item.shown] = "error"
        elif item.shown in evidence:
            classes[item.shown] = "evidence"
        elif item.shown in skips:
            classes[item.shown] = "skip"
        else:
            classes[item.shown] = "unread"
    return assessment, classes


def test_no_collector_or_probe_crashed(scanned: tuple[Assessment, dict[str, str]]) -> None:
    assessment, _ = scanned
    crashes = [e for e in assessment.errors if "failed (" in e.message]
    assert crashes == []
    assert [f for f in assessment.findings if f.outcome.value == "error"] == []
    for error in assessment.errors:
        assert (error.message.strip() and error.path in error.message) or error.path.endswith("/"), error


@pytest.mark.parametrize("kind", KINDS)
def test_each_corpus_file_is_classified(scanned: tuple[Assessment, dict[str, str]], kind: str) -> None:
    _, classes = scanned
    files = [f for f in FILES if f.kind == kind]
    counts = Counter(classes[f.shown] for f in files)
    print(f"\ncorpus {kind:24} " + " ".join(f"{c}={counts.get(c, 0)}" for c in ("evidence", "skip", "error", "unread")))
    owned = [f for f in files if CLAUDE_PATHS.search(f.path)]
    unread = [f.shown for f in owned if classes[f.shown] == "unread"]
    assert unread == [], f"Claude Code files neither read, skipped nor recorded as errors: {unread}"


def test_claude_files_are_evidence_unless_claude_code_would_reject_them(
    scanned: tuple[Assessment, dict[str, str]],
) -> None:
    assessment, classes = scanned
    owned = [f for f in FILES if CLAUDE_PATHS.search(f.path)]
    by_class = Counter(classes[f.shown] for f in owned)
    print(f"\ncorpus claude-code files: {dict(sorted(by_class.items()))}")
    # Every real settings and .mcp.json file in the corpus is strict JSON, as Claude Code requires.
    errors = [f.shown for f in owned if classes[f.shown] == "error"]
    assert errors == [], [e for e in assessment.errors if e.path in errors]
    subjects = [s for s in assessment.subjects if s.kind == "claude-code"]
    assert len(subjects) == len({f.repo for f in owned if "/.claude/" not in f.path})
