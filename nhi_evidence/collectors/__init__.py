"""Collectors, registered explicitly (no registration by import side effect).

``REPOSITORY_COLLECTORS`` run once per repository found under the scanned PATHs;
``SOURCE_COLLECTORS`` run once per scan when their option is given.
"""

from __future__ import annotations

from nhi_evidence.collectors.aider import AiderCollector
from nhi_evidence.collectors.audit_log import AuditLogCollector
from nhi_evidence.collectors.ci_workflows import CiWorkflowsCollector
from nhi_evidence.collectors.claude_code import ClaudeCodeCollector
from nhi_evidence.collectors.codex import CodexCollector
from nhi_evidence.collectors.continue_dev import ContinueCollector
from nhi_evidence.collectors.copilot import CopilotCollector
from nhi_evidence.collectors.cursor import CursorCollector
from nhi_evidence.collectors.gemini import GeminiCollector
from nhi_evidence.collectors.git_history import GitHistoryCollector
from nhi_evidence.collectors.github import GitHubExportCollector, GitHubOrgCollector, GitHubReposCollector
from nhi_evidence.collectors.home import HomeCollector
from nhi_evidence.collectors.interface import (
    Collector,
    CollectorError,
    CollectorOutput,
    RepoContext,
    RepositoryCollector,
    SourceCollector,
    SourceContext,
)
from nhi_evidence.collectors.inventory import InventoryCollector

REPOSITORY_COLLECTORS: tuple[type[RepositoryCollector], ...] = (
    ClaudeCodeCollector,
    CursorCollector,
    CopilotCollector,
    CodexCollector,
    GeminiCollector,
    AiderCollector,
    ContinueCollector,
    CiWorkflowsCollector,
    GitHistoryCollector,
)

SOURCE_COLLECTORS: tuple[type[SourceCollector], ...] = (
    InventoryCollector,
    AuditLogCollector,
    HomeCollector,
    GitHubExportCollector,
    GitHubOrgCollector,
    GitHubReposCollector,
)

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
