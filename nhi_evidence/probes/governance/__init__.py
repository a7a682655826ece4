"""Probes over GitHub governance settings: review gates, bypass actors, workflow tokens, environments, Apps, PATs."""

from __future__ import annotations

from nhi_evidence.probes.governance.actions_cannot_approve_pull_requests import ActionsCannotApprovePullRequests
from nhi_evidence.probes.governance.assistant_app_installations_scoped import AssistantAppInstallationsScoped
from nhi_evidence.probes.governance.assistant_cannot_bypass_review import AssistantCannotBypassReview
from nhi_evidence.probes.governance.assistant_pull_requests_human_approved import AssistantPullRequestsHumanApproved
from nhi_evidence.probes.governance.codeowners_valid import CodeownersValid
from nhi_evidence.probes.governance.default_branch_requires_review import DefaultBranchRequiresReview
from nhi_evidence.probes.governance.environments_protected import EnvironmentsProtected
from nhi_evidence.probes.governance.pat_grants_expire import PatGrantsExpire
from nhi_evidence.probes.governance.workflow_token_read_only import WorkflowTokenReadOnly
from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = (
    DefaultBranchRequiresReview(),
    AssistantCannotBypassReview(),
    CodeownersValid(),
    WorkflowTokenReadOnly(),
    ActionsCannotApprovePullRequests(),
    EnvironmentsProtected(),
    AssistantAppInstallationsScoped(),
    PatGrantsExpire(),
    AssistantPullRequestsHumanApproved(),
)
