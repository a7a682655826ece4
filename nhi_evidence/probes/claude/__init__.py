"""Probes over Claude Code configuration (settings, permissions, hooks) in repositories."""

from __future__ import annotations

from nhi_evidence.probes.claude.audit_hooks_or_telemetry_configured import AuditHooksOrTelemetryConfigured
from nhi_evidence.probes.claude.bypass_permissions_disabled import BypassPermissionsDisabled
from nhi_evidence.probes.claude.no_blanket_shell_allow import NoBlanketShellAllow
from nhi_evidence.probes.claude.personal_settings_not_committed import PersonalSettingsNotCommitted
from nhi_evidence.probes.claude.project_mcp_servers_not_auto_enabled import ProjectMcpServersNotAutoEnabled
from nhi_evidence.probes.claude.secret_files_denied import SecretFilesDenied
from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = (
    BypassPermissionsDisabled(),
    NoBlanketShellAllow(),
    SecretFilesDenied(),
    AuditHooksOrTelemetryConfigured(),
    ProjectMcpServersNotAutoEnabled(),
    PersonalSettingsNotCommitted(),
)
