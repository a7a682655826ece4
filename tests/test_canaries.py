"""Planted canary secrets never leave the tool: not in any output format, pack file, log or error.

Canaries of every supported shape are written as literal values into every file type the collectors
read (valid files, and malformed ones whose error messages must not quote them). The scan runs with
every output format the tool offers and as a pack, and every byte produced is searched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nhi_test_support import CANARIES, FIXED_NOW, canary_leaks

from nhi_evidence.renderers import OutputFormat

C = CANARIES


def plant(root: Path) -> None:
    """Write an organisation whose files hold every canary in every collected format."""
    repo = root / "org" / "canary-repo"
    files = {
        ".claude/settings.json": json.dumps(
            {
                "permissions": {"allow": ["Bash(*)"], "defaultMode": "bypassPermissions"},
                "env": {
                    "ANTHROPIC_API_KEY": C["anthropic-api-key"],
                    "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {C['bearer-token']}",
                },
                "apiKeyHelper": f"echo {C['anthropic-api-key']}",
            }
        ),
        ".claude/settings.local.json": json.dumps({"env": {"GITHUB_TOKEN": C["github-token"]}}),
        ".mcp.json": json.dumps(
            {
                "mcpServers": {
                    "gh": {
                        "command": "npx",
                        "args": ["-y", "server", "--token", C["github-fine-grained-pat"]],
                        "env": {"AWS_ACCESS_KEY_ID": C["aws-access-key-id"]},
                    },
                    "remote": {
                        "type": "http",
                        "url": f"https://user:{C['slack-token']}@mcp.example.com/mcp",
                        "headers": {"Authorization": f"Bearer {C['bearer-token']}"},
                    },
                    "escaped": {"command": "node", "args": [json.dumps({"key": C["openai-api-key"]})]},
                }
            }
        ),
        ".cursor/mcp.json": json.dumps(
            {
                "mcpServers": {
                    "s": {"command": "npx", "args": [C["github-token"]], "env": {"X_API_KEY": C["openai-api-key"]}}
                }
            }
        ),
        ".cursor/cli.json": json.dumps(
            {"permissions": {"allow": ["Shell(**)", f"Shell(curl -H {C['github-token']})"]}}
        ),
        ".vscode/mcp.json": '{\n  // comment\n  "servers": {"s": {"command": "npx", "env": {"TOKEN": "'
        + C["github-token"]
        + '"},},},\n}',
        ".codex/config.toml": f'approval_policy = "never"\n[mcp_servers.s]\ncommand = "npx"\nenv = {{ "OPENAI_API_KEY" = "{C["openai-api-key"]}" }}\n',
        ".gemini/settings.json": json.dumps(
            {
                "mcpServers": {
                    "s": {
                        "command": "x",
                        "env": {"GEMINI_API_KEY": C["openai-api-key"]},
                        "headers": {"Authorization": f"Bearer {C['bearer-token']}"},
                    }
                }
            }
        ),
        ".aider.conf.yml": f"openai-api-key: {C['openai-api-key']}\nanthropic-api-key: {C['anthropic-api-key']}\nyes-always: true\n",
        ".continue/config.yaml": f"models:\n  - name: m\n    provider: openai\n    apiKey: {C['openai-api-key']}\nmcpServers:\n  - name: s\n    command: npx\n    env:\n      SLACK_TOKEN: {C['slack-token']}\n",
        ".github/workflows/claude.yml": (
            "on: issue_comment\njobs:\n  claude:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      ANTHROPIC_API_KEY: {C['anthropic-api-key']}\n    steps:\n      - uses: anthropics/claude-code-action@v1\n"
            f"        with:\n          github_token: {C['github-token']}\n          prompt: hi {C['aws-access-key-id']}\n"
        ),
        ".github/workflows/copilot-setup-steps.yml": (
            "on: workflow_dispatch\njobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: actions/checkout@v4\n        with:\n          token: {C['github-fine-grained-pat']}\n"
        ),
        "CLAUDE.md": f"Use token {C['github-token']} for the API.\n",
    }
    broken = root / "org" / "broken-repo"
    broken_files = {
        ".claude/settings.json": '{"env": {"KEY": "' + C["anthropic-api-key"] + '" oops',
        ".mcp.json": '{"mcpServers": {"x": {"env": {"K": "' + C["github-token"] + '"}}}',
        ".codex/config.toml": f'key = "{C["openai-api-key"]}"\nkey = "dup"\n',
        ".github/workflows/claude.yml": f"on: [\njobs: {C['slack-token']}\n  x: anthropics/claude-code-action\n",
        ".aider.conf.yml": f"openai-api-key: {C['openai-api-key']}\n  bad: [\n",
    }
    for base, content in ((repo, files), (broken, broken_files)):
        for relative, text in content.items():
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nhi_evidence", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"NHI_EVIDENCE_NOW": FIXED_NOW, "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def all_text(folder: Path) -> str:
    """Every file under folder as text; PDFs as their extracted text too."""
    chunks = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        chunks.append(raw.decode("utf-8", "replace"))
        if path.suffix == ".pdf":
            from pypdf import PdfReader

            chunks.extend(page.extract_text() or "" for page in PdfReader(path).pages)
        if path.suffix == ".gz":
            import tarfile

            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    handle = archive.extractfile(member)
                    if handle is not None:
                        chunks.append(handle.read().decode("utf-8", "replace"))
    return "\n".join(chunks)


@pytest.mark.slow
def test_no_canary_in_any_output(tmp_path: Path) -> None:
    plant(tmp_path)
    org = tmp_path / "org"
    out = tmp_path / "out"
    out.mkdir()
    logs: list[str] = []
    for fmt in OutputFormat:
        target = out / f"scan-{fmt.value}"
        done = run("scan", str(org), "--format", fmt.value, "--output", str(target), "--verbose", cwd=tmp_path)
        if done.returncode == 2 and "no such option" in done.stderr:
            done = run("scan", str(org), "--format", fmt.value, "--output", str(target), cwd=tmp_path)
        assert done.returncode in (0, 1), (fmt, done.stderr[-3000:])
        logs.append(done.stdout + done.stderr)
    terminal = run("scan", str(org), cwd=tmp_path)
    logs.append(terminal.stdout + terminal.stderr)
    pack_help = run("pack", "--help", cwd=tmp_path)
    if pack_help.returncode == 0:
        done = run(
            "pack",
            str(org),
            "--period",
            "2026-Q4",
            "--org",
            "Canary Corp",
            "--out",
            str(out / "pack"),
            "--archive",
            cwd=tmp_path,
        )
        assert done.returncode in (0, 1), done.stderr[-3000:]
        logs.append(done.stdout + done.stderr)
    produced = all_text(out) + "\n".join(logs)
    assert canary_leaks(produced) == []
    # The planted files were read: the JSON output names fingerprints of what it found.
    assessment = json.loads((out / "scan-json").read_text())
    sources = {e["source"] for e in assessment["evidence"]}
    assert "canary-repo/.mcp.json" in sources
    assert any(e["path"].startswith("broken-repo/") for e in assessment["errors"])
