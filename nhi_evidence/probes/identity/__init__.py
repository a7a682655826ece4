"""Probes over the identity inventory: ownership, offboarding, rotation, sharing, shadow identities."""

from __future__ import annotations

from nhi_evidence.probes.identity.assistant_listed_in_inventory import AssistantListedInInventory
from nhi_evidence.probes.identity.credential_not_shared import CredentialNotShared
from nhi_evidence.probes.identity.credential_rotated_within_policy import CredentialRotatedWithinPolicy
from nhi_evidence.probes.identity.identity_has_owner import IdentityHasOwner
from nhi_evidence.probes.identity.inventory_identity_seen import InventoryIdentitySeen
from nhi_evidence.probes.identity.retired_identity_has_no_live_credential import RetiredIdentityHasNoLiveCredential
from nhi_evidence.probes.identity.short_lived_credentials_preferred import ShortLivedCredentialsPreferred
from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = (
    IdentityHasOwner(),
    RetiredIdentityHasNoLiveCredential(),
    CredentialRotatedWithinPolicy(),
    CredentialNotShared(),
    ShortLivedCredentialsPreferred(),
    AssistantListedInInventory(),
    InventoryIdentitySeen(),
)
