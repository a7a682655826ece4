"""collect -> probe -> map: the one function every command calls to build an Assessment.

Every stage takes data and returns data; only collectors touch the host. The clock is read once per
run, so every evidence record of a run carries the same collection time and a fixed clock makes the
whole assessment reproducible. Collection across many repositories runs in worker processes
(``jobs``); results are merged and sorted, so the output does not depend on scheduling.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nhi_evidence import __version__
from nhi_evidence.clock import Clock, fixed_clock, isoformat
from nhi_evidence.collectors import REPOSITORY_COLLECTORS, SOURCE_COLLECTORS
from nhi_evidence.collectors.interface import CollectorOutput, RepoContext, SourceContext
from nhi_evidence.discovery import excluded_by, find_repositories
from nhi_evidence.files import DEFAULT_MAX_BYTES, FsRepoView, RepoView
from nhi_evidence.frameworks.catalog import load_frameworks
from nhi_evidence.frameworks.mapping import MappingSet, evaluate_controls, load_mappings
from nhi_evidence.gcpause import paused_gc
from nhi_evidence.ids import stable_uuid
from nhi_evidence.model import Assessment, CollectionError, Evidence, Framework, ScanScope, Skip
from nhi_evidence.probes import ALL_PROBES, probe_definitions, run_probes
from nhi_evidence.probes.interface import ProbeContext

#: Below this many repositories, collection runs in-process (worker start-up would cost more).
PARALLEL_THRESHOLD = 48

#: Hook for progress reporting: called with (stage, done, total).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how."""

    roots: tuple[Path, ...] = ()
    """Folders to scan (repositories or folders of repositories)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Source options (inventory, audit_logs, github_org, home, ...) and probe options (rotation_days)."""
    mapping_dirs: tuple[Path, ...] = ()
    """Extra framework and mapping folders (``--mappings``)."""
    frameworks: tuple[str, ...] = ()
    """Framework ids to report (empty: all loaded)."""
    jobs: int = 0
    """Worker processes for collection (0: one per core)."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest file read."""
    views: tuple[RepoView, ...] = ()
    """Pre-built repository views (a git ref instead of a working tree); used instead of walking roots."""


def root_labels(roots: Sequence[Path]) -> list[str]:
    """Labels prefixed to output paths: none for a single root, unique folder names for several."""
    if len(roots) <= 1:
        return [""] * len(roots)
    labels: list[str] = []
    for root in roots:
        base = root.resolve().name or "root"
        label, n = base, 2
        while label in labels:
            label, n = f"{base}-{n}", n + 1
        labels.append(label)
    return labels


def _collect_repo(args: tuple[str, str, str, int, str, Mapping[str, Any]]) -> CollectorOutput:
    root, repo, label, max_bytes, now_iso, options = args
    view = FsRepoView(Path(root), repo, max_bytes, label)
    clock = fixed_clock(datetime.fromisoformat(now_iso))
    return collect_view(view, clock, options)


def collect_view(view: RepoView, clock: Clock, options: Mapping[str, Any]) -> CollectorOutput:
    """Run every repository collector over one repository view."""
    out = CollectorOutput()
    ctx = RepoContext(view, clock, options)
    for collector_type in REPOSITORY_COLLECTORS:
        collector = collector_type()
        try:
            out.extend(collector.collect(ctx))
        except Exception as exc:  # noqa: BLE001 - a collector defect must not end the scan
            out.errors.append(
                CollectionError(
                    view.display("") or ".",
                    f"Collector {collector.name} failed ({type(exc).__name__}).",
                    collector.name,
                )
            )
    return out


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _collect_batch(batch: Sequence[tuple[str, str, str, int, str, Mapping[str, Any]]]) -> CollectorOutput:
    out = CollectorOutput()
    with paused_gc():
        for args in batch:
            out.extend(_collect_repo(args))
    return out


def collect(request: ScanRequest, now: datetime, progress: Progress | None = None) -> tuple[CollectorOutput, list[str]]:
    """Collect evidence from every repository and source; returns the output and the repositories found."""
    out = CollectorOutput()
    markers = sorted({m for c in REPOSITORY_COLLECTORS for m in c.marker_paths})
    clock = fixed_clock(now)
    repositories: list[str] = []
    if request.views:
        views = []
        for view in request.views:
            pattern = excluded_by(view.display_repo, request.options.get("exclude") or ())
            if pattern is None:
                views.append(view)
                continue
            shown = view.display_repo or "."
            out.skips.append(Skip(shown, f"Repository {shown} is excluded by the pattern '{pattern}'.", "discovery"))
        for index, view in enumerate(views):
            repositories.append(view.display_repo)
            out.extend(collect_view(view, clock, request.options))
            if progress:
                progress("collect", index + 1, len(views))
    else:
        jobs_args: list[tuple[str, str, str, int, str, Mapping[str, Any]]] = []
        for root, label in zip(request.roots, root_labels(request.roots), strict=True):
            found = find_repositories(root, markers, label)
            out.errors.extend(found.errors)
            for repo in found.repositories:
                shown = "/".join(p for p in (label, repo) if p)
                pattern = excluded_by(shown, request.options.get("exclude") or ())
                if pattern is not None:
                    out.skips.append(
                        Skip(
                            shown or ".",
                            f"Repository {shown or '.'} is excluded by the pattern '{pattern}'.",
                            "discovery",
                        )
                    )
                    continue
                repositories.append(shown)
                jobs_args.append((str(root), repo, label, request.max_bytes, now.isoformat(), dict(request.options)))
        workers = request.jobs or os.cpu_count() or 1
        if len(jobs_args) < PARALLEL_THRESHOLD or workers == 1:
            for index, args in enumerate(jobs_args):
                out.extend(_collect_repo(args))
                if progress:
                    progress("collect", index + 1, len(jobs_args))
        else:
            size = max(8, len(jobs_args) // (workers * 8))
            done = 0
            # Unpickling the workers' output allocates every evidence record and subject of the scan:
            # with the cyclic collector paused it costs about a quarter (see nhi_evidence.gcpause).
            with paused_gc(), ProcessPoolExecutor(max_workers=workers) as pool:
                for batch_out, batch in zip(
                    pool.map(_collect_batch, list(_chunks(jobs_args, size))), _chunks(jobs_args, size), strict=True
                ):
                    out.extend(batch_out)
                    done += len(batch)
                    if progress:
                        progress("collect", done, len(jobs_args))
    source_ctx = SourceContext(clock, request.options, request.roots, repositories)
    enabled = [c for c in SOURCE_COLLECTORS if request.options.get(c.option)]
    for index, collector_type in enumerate(enabled):
        collector = collector_type()
        try:
            out.extend(collector.collect(source_ctx))
        except Exception as exc:  # noqa: BLE001
            out.errors.append(
                CollectionError(
                    collector.option, f"Collector {collector.name} failed ({type(exc).__name__}).", collector.name
                )
            )
        if progress:
            progress("sources", index + 1, len(enabled))
    return out, repositories


def sources_given(request: ScanRequest) -> frozenset[str]:
    """Evidence sources this request provides (keys of probes.interface.SOURCES)."""
    given = {"repository"} if (request.roots or request.views) else set()
    option_sources = {
        "home": "home",
        "inventory": "inventory",
        "github_org": "github",
        "github_repos": "github",
        "github_export": "github",
        "audit_logs": "audit-log",
    }
    for option, source in option_sources.items():
        if request.options.get(option):
            given.add(source)
    if given & {"repository"} and not request.options.get("no_git_history"):
        given.add("git-history")
    return frozenset(given)


def load_model(request: ScanRequest) -> tuple[list[Framework], MappingSet]:
    """Frameworks and mappings for a request (shipped plus ``--mappings`` folders)."""
    loaded = load_frameworks(request.mapping_dirs)
    # Links are checked against every loaded framework; only the wanted ones are reported.
    mapping = load_mappings(loaded, probe_definitions().keys(), request.mapping_dirs)
    if request.frameworks:
        wanted = set(request.frameworks)
        loaded = [f for f in loaded if f.id in wanted]
    return loaded, mapping


def assess(
    request: ScanRequest,
    clock: Clock,
    *,
    accepted: Iterable[str] = (),
    metadata: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    on_collected: Callable[[Sequence[Evidence]], None] | None = None,
) -> Assessment:
    """Run the whole pipeline and return the Assessment.

    ``on_collected`` receives the evidence, in the assessment's order, as soon as it is collected
    (before the probes run): a pack starts writing the evidence copies then.
    """
    now = clock()
    frameworks, mapping = load_model(request)
    output, repositories = collect(request, now, progress)
    subjects = sorted(output.subjects, key=lambda s: s.id)
    evidence = sorted(output.evidence, key=lambda e: e.id)
    if on_collected is not None:
        on_collected(evidence)
    given = sources_given(request)
    ctx = ProbeContext(subjects, {e.id: e for e in evidence}, now, request.options, given)
    findings = run_probes(ALL_PROBES, ctx)
    if progress:
        progress("probe", 1, 1)
    definitions = probe_definitions()
    results = evaluate_controls(frameworks, mapping, findings, definitions, given, frozenset(accepted))
    labels = root_labels(request.roots)
    roots = tuple(label or root.name or str(root) for root, label in zip(request.roots, labels, strict=True))
    if request.views and not roots:
        roots = tuple(sorted({v.display_repo for v in request.views}))
    scope = ScanScope(
        roots=roots,
        repositories=tuple(repositories),
        collectors=tuple(c.name for c in REPOSITORY_COLLECTORS)
        + tuple(c.name for c in SOURCE_COLLECTORS if request.options.get(c.option)),
        sources={
            k: display_option(k, v) for k, v in sorted(request.options.items()) if v not in (None, False, (), [], "")
        },
    )
    assessment_id = stable_uuid("assessment", *roots, *sorted(repositories), isoformat(now))
    return Assessment(
        id=assessment_id,
        tool_version=__version__,
        created_at=now,
        scope=scope,
        subjects=tuple(subjects),
        evidence=tuple(evidence),
        findings=tuple(findings),
        control_results=tuple(results),
        frameworks=tuple(frameworks),
        skips=tuple(sorted(output.skips, key=lambda s: (s.path, s.reason))),
        errors=tuple(sorted(output.errors, key=lambda e: (e.path, e.message))),
        metadata=dict(metadata or {}),
    )


def display_option(name: str, value: Any) -> Any:
    """An option value as recorded in outputs: paths as given, and a home folder only as ``~``.

    The workstation scan reads a person's home folder; its full path names the person and the
    machine, so outputs say ``~`` instead.
    """
    if name == "home":
        return "~"
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [str(v) if isinstance(v, Path) else v for v in value]
    return value
