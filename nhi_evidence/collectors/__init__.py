"""Collectors, registered explicitly (no registration by import side effect).

``REPOSITORY_COLLECTORS`` run once per repository found under the scanned PATHs;
``SOURCE_COLLECTORS`` run once per scan when their option is given.
"""

from __future__ import annotations

from nhi_evidence.collectors.interface import (
    Collector,
    CollectorError,
    CollectorOutput,
    RepoContext,
    RepositoryCollector,
    SourceCollector,
    SourceContext,
)

REPOSITORY_COLLECTORS: tuple[type[RepositoryCollector], ...] = ()

SOURCE_COLLECTORS: tuple[type[SourceCollector], ...] = ()

__all__ = [
    "REPOSITORY_COLLECTORS",
    "SOURCE_COLLECTORS",
    "Collector",
    "CollectorError",
    "CollectorOutput",
    "RepoContext",
    "RepositoryCollector",
    "SourceCollector",
    "SourceContext",
]
