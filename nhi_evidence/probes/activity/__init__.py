"""Probes over what assistants did: audit log activity and git history."""

from __future__ import annotations

from nhi_evidence.probes.activity.assistant_activity_logged import AssistantActivityLogged
from nhi_evidence.probes.activity.assistant_credentials_not_used_by_humans import AssistantCredentialsNotUsedByHumans
from nhi_evidence.probes.activity.assistant_permissions_not_widened import AssistantPermissionsNotWidened
from nhi_evidence.probes.activity.no_direct_assistant_push_to_default_branch import NoDirectAssistantPushToDefaultBranch
from nhi_evidence.probes.activity.retired_identities_inactive import RetiredIdentitiesInactive
from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = (
    AssistantActivityLogged(),
    AssistantCredentialsNotUsedByHumans(),
    RetiredIdentitiesInactive(),
    AssistantPermissionsNotWidened(),
    NoDirectAssistantPushToDefaultBranch(),
)
