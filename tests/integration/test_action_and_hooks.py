"""The composite GitHub Action and the pre-commit hook, run locally the way their hosts run them."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from nhi_test_support import FIXED_NOW, PROJECT

CONSOLE_SCRIPT = Path(sys.executable).with_name("nhi-evidence")
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    return action


def test_action_is_composite_and_never_expands_inputs_inside_scripts() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        # Inputs reach scripts only through env: an expression inside `run` could inject shell code.
        assert "${{" not in step["run"], step["name"]
        for value in (step.get("env") or {}).values():
            for expression in EXPRESSION.findall(str(value)):
                if expression.startswith("inputs."):
                    assert expression.removeprefix("inputs.") in inputs


def run_action(
    workspace: Path, tmp: Path, inputs: dict[str, str], tool_on_path: bool = True
) -> tuple[int, dict[str, str], str]:
    """Execute the action's steps as a runner would: expressions substituted, bash -eo pipefail, files for outputs.

    ``tool_on_path`` puts this environment's ``nhi-evidence`` on PATH (for ``install: false``); folders a
    step appends to ``$GITHUB_PATH`` are put on PATH for the next steps, as on a runner.
    """
    action = load_action()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    github_output, summary, github_path = tmp / "output", tmp / "summary.md", tmp / "path"
    for file in (github_output, summary, github_path):
        file.write_text("", encoding="utf-8")
    context = {"github.action_path": str(PROJECT)} | {f"inputs.{k}": v for k, v in values.items()}
    code = 0
    for step in action["runs"]["steps"]:
        added = [line for line in github_path.read_text(encoding="utf-8").splitlines() if line]
        base = [str(Path(sys.executable).parent)] if tool_on_path else []
        system = [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != Path(sys.executable).parent]
        env = {
            "PATH": os.pathsep.join([*reversed(added), *base, *system]),
            "HOME": str(tmp),
            "NHI_EVIDENCE_NOW": FIXED_NOW,
            "GITHUB_OUTPUT": str(github_output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_PATH": str(github_path),
            "RUNNER_TEMP": str(tmp),
        }
        for key, value in (step.get("env") or {}).items():
            env[key] = EXPRESSION.sub(lambda m: context[m.group(1)], str(value))
        script = tmp / f"step-{step['id']}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        code = done.returncode
        if code != 0:
            break
    outputs = dict(line.split("=", 1) for line in github_output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return code, outputs, summary.read_text(encoding="utf-8")


def test_action_scan_writes_sarif_outputs_and_job_summary(org: Path, tmp_path: Path) -> None:
    code, outputs, summary = run_action(org, tmp_path, {"install": "false"})
    assert code == 0
    assert outputs == {"output": "nhi-evidence.sarif", "exit-code": "0"}
    sarif = json.loads((org / "nhi-evidence.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"]
    assert summary.startswith("## nhi-evidence: ")


def test_action_fail_on_fails_the_step_but_keeps_the_output(org: Path, tmp_path: Path) -> None:
    code, outputs, _ = run_action(
        org, tmp_path, {"install": "false", "fail-on": "high", "format": "json", "output": "out.json"}
    )
    assert code == 1
    assert outputs["exit-code"] == "1"
    assert json.loads((org / "out.json").read_text(encoding="utf-8"))["schema_version"] == 1


def test_action_inputs_are_data_not_shell(org: Path, tmp_path: Path) -> None:
    code, _, summary = run_action(
        org, tmp_path, {"install": "false", "org": "$(touch pwned); `touch pwned2`", "args": "--exclude\nweb"}
    )
    assert code == 0
    assert not (org / "pwned").exists()
    assert not (org / "pwned2").exists()
    assert "$(touch pwned)" in summary
    assert "1 repository" in summary  # --exclude web reached the tool as two arguments


def test_action_rejects_an_unknown_command(org: Path, tmp_path: Path) -> None:
    code, _, _ = run_action(org, tmp_path, {"install": "false", "command": "rm"})
    assert code == 2


def test_action_without_install_needs_the_tool_on_path(org: Path, tmp_path: Path) -> None:
    action = load_action()
    install = action["runs"]["steps"][0]
    env = {"PATH": "/usr/bin:/bin", "INPUT_INSTALL": "false", "ACTION_PATH": str(PROJECT)}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "not on PATH" in done.stdout


def load_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    assert len(hooks) == 1
    hook: dict[str, Any] = hooks[0]
    return hook


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        (".claude/settings.json", True),
        ("services/api/.claude/settings.local.json", True),
        ("CLAUDE.md", True),
        (".mcp.json", True),
        (".github/workflows/claude.yml", True),
        (".cursor/rules/a.mdc", True),
        ("AGENTS.md", True),
        (".nhi-evidence.toml", True),
        ("src/main.py", False),
        ("docs/CLAUDE.md.bak", False),
    ],
)
def test_hook_runs_only_for_assistant_configuration(path: str, runs: bool) -> None:
    # pre-commit matches `files` with Python's re.search against each staged path.
    assert bool(re.search(load_hook()["files"], path)) is runs


def run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    hook = load_hook()
    assert hook["pass_filenames"] is False
    assert hook["language"] == "python"
    entry = shlex.split(hook["entry"])
    assert entry[0] == "nhi-evidence"
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *entry[1:]],
        cwd=repo,
        env={**os.environ, "NHI_EVIDENCE_NOW": FIXED_NOW},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_hook_fails_on_new_high_findings_and_passes_once_accepted(org: Path, scan) -> None:
    repo = org / "api"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    failed = run_hook(repo)
    assert failed.returncode == 1, failed.stderr
    document = json.loads(scan(str(repo), "--format", "json", "--quiet").stdout)
    high = [f for f in document["findings"] if f["outcome"] == "false" and f["severity"] in ("high", "critical")]
    assert high
    (repo / ".nhi-evidence.toml").write_text(
        "".join(
            f'[[accepted_risks]]\nprobe = "{f["probe"]}"\nsubject = "{f["subject"]}"\n'
            'justification = "Sandboxed container."\napproved_by = "Security"\nexpires = 2027-01-01\n\n'
            for f in high
        ),
        encoding="utf-8",
    )
    assert run_hook(repo).returncode == 0


def test_action_pack_builds_an_audit_pack(org: Path, tmp_path: Path) -> None:
    code, outputs, summary = run_action(
        org,
        tmp_path,
        {"install": "false", "command": "pack", "output": "evidence/2026-Q4", "org": "Acme", "period": "2026-Q4"},
    )
    assert code == 0
    assert outputs == {"output": "evidence/2026-Q4", "exit-code": "0"}
    assert (org / "evidence" / "2026-Q4" / "manifest.json").is_file()
    assert summary == ""  # the job summary is written for scans only


@pytest.mark.slow
def test_action_installs_the_tool_from_its_own_folder(org: Path, tmp_path: Path) -> None:
    # The real install step: a virtual environment in RUNNER_TEMP, pip install of the action's folder
    # (dependencies from the package index), its bin folder appended to GITHUB_PATH for the next step.
    code, outputs, summary = run_action(org, tmp_path, {}, tool_on_path=False)
    assert code == 0
    assert (tmp_path / "nhi-evidence-venv" / "bin" / "nhi-evidence").is_file()
    assert (tmp_path / "path").read_text(encoding="utf-8").strip() == str(tmp_path / "nhi-evidence-venv" / "bin")
    assert outputs["exit-code"] == "0"
    assert json.loads((org / "nhi-evidence.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert summary.startswith("## nhi-evidence: ")
