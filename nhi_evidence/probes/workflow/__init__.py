"""Probes over CI workflow jobs that run an assistant (subjects of kind ``ci-workflow``)."""

from __future__ import annotations

from nhi_evidence.probes.interface import Probe
from nhi_evidence.probes.workflow.api_key_scoped_to_assistant_step import ApiKeyScopedToAssistantStep
from nhi_evidence.probes.workflow.assistant_action_pinned_by_sha import AssistantActionPinnedBySha
from nhi_evidence.probes.workflow.assistant_writes_go_through_review import AssistantWritesGoThroughReview
from nhi_evidence.probes.workflow.ci_assistant_has_tool_allowlist import CiAssistantHasToolAllowlist
from nhi_evidence.probes.workflow.release_gated_by_human_approval import ReleaseGatedByHumanApproval
from nhi_evidence.probes.workflow.untrusted_checkout_not_executed import UntrustedCheckoutNotExecuted
from nhi_evidence.probes.workflow.untrusted_input_not_in_prompt import UntrustedInputNotInPrompt
from nhi_evidence.probes.workflow.untrusted_input_not_in_shell import UntrustedInputNotInShell
from nhi_evidence.probes.workflow.untrusted_trigger_has_actor_gate import UntrustedTriggerHasActorGate
from nhi_evidence.probes.workflow.workflow_permissions_least_privilege import WorkflowPermissionsLeastPrivilege

PROBES: tuple[Probe, ...] = (
    WorkflowPermissionsLeastPrivilege(),
    AssistantActionPinnedBySha(),
    UntrustedTriggerHasActorGate(),
    UntrustedInputNotInPrompt(),
    UntrustedInputNotInShell(),
    ApiKeyScopedToAssistantStep(),
    CiAssistantHasToolAllowlist(),
    AssistantWritesGoThroughReview(),
    ReleaseGatedByHumanApproval(),
    UntrustedCheckoutNotExecuted(),
)
