"""Seeded, deterministic generator of a synthetic organisation for benchmarks and scale tests.

Each repository mixes the patterns seen in real assistant configurations: Claude Code settings
(safe and unsafe), MCP configs (pinned and unpinned launchers, remote servers, secrets as references
and as canaries), CI workflows that run assistants (pinned and unpinned, gated and not), workflows
that run no assistant, and the other assistants' files. About five files per repository.

Usage: ``python -m bench.generate OUT N [--seed S]``
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

#: Canary-shaped fake credentials planted in some files (never real).
FAKE_SECRETS = (
    "ghp_BENCHaaaaBBBBccccDDDDeeeeFFFFgggg0000",
    "sk-ant-api03-BENCHaaaaBBBBccccDDDDeeeeFFFFggggHHHHiiii-jjjj",
    "AKIABENCH00000000000",
)

SHA = "0123456789abcdef0123456789abcdef01234567"


def claude_settings(rng: random.Random) -> dict[str, object]:
    """A Claude Code settings document, safe or risky."""
    risky = rng.random() < 0.4
    settings: dict[str, object] = {
        "permissions": {
            "allow": ["Bash(*)", "Edit(*)", "WebFetch"] if risky else ["Bash(npm run test:*)", "Read(./src/**)"],
            "deny": [] if risky else ["Read(./.env)", "Read(./secrets/**)", "Bash(curl:*)"],
        }
    }
    if risky:
        settings["permissions"]["defaultMode"] = "bypassPermissions"  # type: ignore[index]
        settings["enableAllProjectMcpServers"] = True
    else:
        settings["hooks"] = {
            "PostToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "./scripts/audit-log.sh"}]}]
        }
    if rng.random() < 0.1:
        settings["env"] = {"ANTHROPIC_API_KEY": rng.choice(FAKE_SECRETS)}
    return settings


def mcp_config(rng: random.Random) -> dict[str, object]:
    """An MCP config with a mix of launchers."""
    servers: dict[str, object] = {
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github" + ("@2025.4.8" if rng.random() < 0.5 else "")],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}" if rng.random() < 0.8 else FAKE_SECRETS[0]},
        },
        "fetch": {"command": "uvx", "args": ["mcp-server-fetch" + ("==2025.1.17" if rng.random() < 0.5 else "")]},
    }
    if rng.random() < 0.3:
        servers["remote"] = {
            "type": "http",
            "url": rng.choice(["https://mcp.example.com/mcp", "http://mcp.example.com/mcp"]),
        }
    return {"mcpServers": servers}


def assistant_workflow(rng: random.Random) -> str:
    """A workflow running claude-code-action, pinned or not, gated or not."""
    pinned = rng.random() < 0.3
    gated = rng.random() < 0.5
    gate = (
        '    if: contains(fromJSON(\'["OWNER","MEMBER"]\'), github.event.comment.author_association)\n' if gated else ""
    )
    ref = SHA if pinned else "v1"
    return (
        "name: Claude\n"
        "on:\n  issue_comment:\n    types: [created]\n  pull_request_target:\n    types: [opened]\n"
        "permissions:\n  contents: write\n  pull-requests: write\n  id-token: write\n"
        "jobs:\n  claude:\n    runs-on: ubuntu-latest\n" + gate + "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - uses: anthropics/claude-code-action@{ref}\n"
        "        with:\n"
        "          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n"
        "          prompt: |\n            Review: ${{ github.event.comment.body }}\n"
        '          claude_args: --allowedTools "Bash(npm test)"\n'
    )


def plain_workflow(rng: random.Random) -> str:
    """A CI workflow that runs no assistant."""
    return (
        "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: make test\n" + "      - run: echo step\n" * rng.randint(1, 20)
    )


def codex_config(rng: random.Random) -> str:
    """A Codex config.toml."""
    policy = rng.choice(["never", "on-request", "untrusted"])
    sandbox = rng.choice(["danger-full-access", "workspace-write", "read-only"])
    return (
        f'approval_policy = "{policy}"\nsandbox_mode = "{sandbox}"\n\n[sandbox_workspace_write]\n'
        f"network_access = {str(rng.random() < 0.5).lower()}\n\n"
        '[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n'
    )


def gemini_settings(rng: random.Random) -> dict[str, object]:
    """A Gemini CLI settings document in the nested layout."""
    return {
        "general": {"defaultApprovalMode": rng.choice(["default", "auto_edit", "yolo"])},
        "tools": {"sandbox": rng.random() < 0.5, "allowed": ["run_shell_command(git status)"]},
        "mcpServers": {"db": {"command": "uvx", "args": ["db-mcp"], "trust": rng.random() < 0.3}},
    }


def write_repository(root: Path, index: int, rng: random.Random) -> int:
    """Write one repository; returns the number of files written."""
    repo = root / f"repo-{index:05d}"
    files: dict[str, str] = {
        ".claude/settings.json": json.dumps(claude_settings(rng), indent=2),
        ".mcp.json": json.dumps(mcp_config(rng), indent=2),
        ".github/workflows/ci.yml": plain_workflow(rng),
    }
    if rng.random() < 0.7:
        files[".github/workflows/claude.yml"] = assistant_workflow(rng)
    extra = rng.random()
    if extra < 0.3:
        files[".codex/config.toml"] = codex_config(rng)
    elif extra < 0.6:
        files[".gemini/settings.json"] = json.dumps(gemini_settings(rng), indent=2)
    elif extra < 0.8:
        files[".cursor/mcp.json"] = json.dumps(mcp_config(rng), indent=2)
    else:
        files["CLAUDE.md"] = "# Project notes\n\nRun `make test` before committing.\n"
    for relative, content in files.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return len(files)


def generate(root: Path, repositories: int, seed: int = 1) -> int:
    """Write an organisation of N repositories under root; returns the number of files written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    return sum(write_repository(root, i, rng) for i in range(repositories))


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("repositories", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(args.out, args.repositories, args.seed)
    print(f"wrote {args.repositories} repositories, {files} files under {args.out}")


if __name__ == "__main__":
    main()
