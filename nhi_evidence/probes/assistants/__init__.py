"""Probes common to every assistant kind: MCP servers, inline secrets, approval and sandbox settings."""

from __future__ import annotations

from nhi_evidence.probes.assistants.aider_auto_commits_disabled import AiderAutoCommitsDisabled
from nhi_evidence.probes.assistants.approval_prompts_kept import ApprovalPromptsKept
from nhi_evidence.probes.assistants.copilot_setup_steps_least_privilege import CopilotSetupStepsLeastPrivilege
from nhi_evidence.probes.assistants.instruction_files_present import InstructionFilesPresent
from nhi_evidence.probes.assistants.managed_settings_enforced import ManagedSettingsEnforced
from nhi_evidence.probes.assistants.mcp_servers_not_trusted import McpServersNotTrusted
from nhi_evidence.probes.assistants.mcp_servers_pinned import McpServersPinned
from nhi_evidence.probes.assistants.network_access_restricted import NetworkAccessRestricted
from nhi_evidence.probes.assistants.no_inline_secrets import NoInlineSecrets
from nhi_evidence.probes.assistants.remote_mcp_servers_use_tls import RemoteMcpServersUseTls
from nhi_evidence.probes.assistants.sandbox_enabled import SandboxEnabled
from nhi_evidence.probes.assistants.shell_commands_restricted import ShellCommandsRestricted
from nhi_evidence.probes.interface import Probe

PROBES: tuple[Probe, ...] = (
    NoInlineSecrets(),
    McpServersPinned(),
    RemoteMcpServersUseTls(),
    ApprovalPromptsKept(),
    ShellCommandsRestricted(),
    NetworkAccessRestricted(),
    SandboxEnabled(),
    McpServersNotTrusted(),
    InstructionFilesPresent(),
    CopilotSetupStepsLeastPrivilege(),
    AiderAutoCommitsDisabled(),
    ManagedSettingsEnforced(),
)
