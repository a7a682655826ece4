"""Terminal behaviour: progress bars only on a terminal, --quiet, --verbose timings, NO_COLOR, summary
table, shell completion, and ``python -m nhi_evidence``."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from nhi_test_support import FIXED_NOW

from nhi_evidence.progress import Reporter, make_console

CONSOLE_SCRIPT = Path(sys.executable).with_name("nhi-evidence")
#: SGR colour sequences (foreground/background, 8/256/true colour); bold and cursor moves are not colours.
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7])(?:;[0-9;]*)?m")


def run_with_tty_stderr(args: list[str], env: dict[str, str]) -> tuple[int, bytes, str]:
    """Run a command with standard error on a pseudo-terminal; returns (code, stdout, terminal text)."""
    master, slave = pty.openpty()
    # Standard output goes to a file: a pipe nobody reads while the terminal is drained would fill up.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after the child exits
    process = subprocess.Popen(args, stdout=out, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    code = process.wait(timeout=120)
    out.seek(0)
    stdout = out.read()
    out.close()
    os.close(master)
    return code, stdout, b"".join(chunks).decode("utf-8", errors="replace")


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({"NHI_EVIDENCE_NOW": FIXED_NOW, "TERM": "xterm-256color", "COLUMNS": "160", **extra})
    return env


def test_progress_and_summary_on_a_terminal_and_stdout_stays_clean(org: Path) -> None:
    code, stdout, terminal = run_with_tty_stderr(
        [str(CONSOLE_SCRIPT), "scan", str(org), "--format", "json", "--verbose"], base_env()
    )
    assert code == 0, terminal
    assert stdout.startswith(b"{")
    assert b"Collecting" not in stdout
    assert "Collecting repositories" in terminal
    assert "nhi-evidence summary" in terminal
    assert "Timings" in terminal
    assert "Running probes" in terminal
    assert COLOUR.search(terminal), "colours are on by default on a terminal"


def test_quiet_turns_progress_and_summary_off(org: Path) -> None:
    code, stdout, terminal = run_with_tty_stderr(
        [str(CONSOLE_SCRIPT), "scan", str(org), "--format", "json", "--quiet"], base_env()
    )
    assert code == 0
    assert terminal == ""
    assert stdout.startswith(b"{")


def test_no_color_is_respected(org: Path) -> None:
    code, _, terminal = run_with_tty_stderr(
        [str(CONSOLE_SCRIPT), "scan", str(org), "--format", "json"], base_env(NO_COLOR="1")
    )
    assert code == 0
    assert "nhi-evidence summary" in terminal
    assert not COLOUR.search(terminal), repr(terminal[:400])


def test_no_progress_bars_when_stderr_is_not_a_terminal(org: Path, scan) -> None:
    result = scan(str(org), "--format", "json")
    assert "Collecting repositories" not in result.stderr
    assert "\x1b[" not in result.stderr
    assert "nhi-evidence summary" in result.stderr  # the final table still prints, plainly
    assert "Failed checks:" in result.stderr
    verbose = scan(str(org), "--format", "json", "--verbose")
    assert "Timings" in verbose.stderr
    assert "Rendering" in verbose.stderr
    assert scan(str(org), "--format", "json", "--quiet").stderr == ""


def test_reporter_records_stage_timings_without_a_terminal() -> None:
    reporter = Reporter(make_console(), bars=False)
    reporter("collect", 1, 3)
    reporter("collect", 3, 3)
    reporter("probe", 1, 1)
    assert list(reporter.timings) == ["collect", "probe"]
    assert reporter.timings["collect"].total == 3
    assert all(t.seconds >= 0 for t in reporter.timings.values())


def test_shell_completion_through_click() -> None:
    env = {**os.environ, "_NHI_EVIDENCE_COMPLETE": "bash_source"}
    script = subprocess.run([str(CONSOLE_SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert script.returncode == 0
    assert "_nhi_evidence_completion" in script.stdout
    assert "complete " in script.stdout
    env = {**os.environ, "_NHI_EVIDENCE_COMPLETE": "bash_complete", "COMP_WORDS": "nhi-evidence con", "COMP_CWORD": "1"}
    words = subprocess.run([str(CONSOLE_SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "plain,config" in words.stdout.splitlines()


def test_python_dash_m_works_like_the_console_script(org: Path) -> None:
    env = base_env()
    module = subprocess.run(
        [sys.executable, "-m", "nhi_evidence", "scan", str(org), "--format", "sarif", "--quiet"],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    script = subprocess.run(
        [str(CONSOLE_SCRIPT), "scan", str(org), "--format", "sarif", "--quiet"],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert module.returncode == script.returncode == 0
    assert module.stdout == script.stdout
    assert module.stdout
    version = subprocess.run(
        [sys.executable, "-m", "nhi_evidence", "--version"], capture_output=True, text=True, check=False
    )
    assert (
        version.stdout
        == subprocess.run([str(CONSOLE_SCRIPT), "--version"], capture_output=True, text=True, check=False).stdout
    )
    usage = subprocess.run(
        [sys.executable, "-m", "nhi_evidence", "scan", "/nonexistent"], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_the_console_script_runs_exit_handlers_and_keeps_the_status(tmp_path: Path) -> None:
    # ``cli.run`` skips the interpreter's teardown: buffered output and exit handlers must not be lost.
    marker = tmp_path / "handler-ran"
    code = (
        "import atexit, pathlib, sys\n"
        "from nhi_evidence.cli import run\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "sys.argv = ['nhi-evidence', *sys.argv[1:]]\n"
        "print('buffered, not yet flushed', end='')\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", "/nonexistent"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == "buffered, not yet flushed"
    assert "no such folder" in done.stderr
    assert marker.read_text() == "yes"


def test_the_console_script_waits_for_threads_still_working(tmp_path: Path) -> None:
    # A thread still running when the command ends is waited for, as by the interpreter's usual exit.
    marker = tmp_path / "thread-done"
    code = (
        "import pathlib, sys, threading, time\n"
        "from nhi_evidence.cli import run\n"
        f"target = pathlib.Path({str(marker)!r})\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), target.write_text('done'))).start()\n"
        "sys.argv = ['nhi-evidence', '--version']\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "version" in done.stdout
    assert marker.read_text() == "done"


def test_exit_status_follows_the_interpreter(capsys: pytest.CaptureFixture[str]) -> None:
    from nhi_evidence.cli import _exit_status

    assert _exit_status(None) == 0
    assert _exit_status(2) == 2
    assert _exit_status("stopped: reason") == 1
    assert capsys.readouterr().err == "stopped: reason\n"


def test_progress_covers_other_sources_and_rendering_to_a_file(org: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    code, stdout, terminal = run_with_tty_stderr(
        [
            str(CONSOLE_SCRIPT),
            "scan",
            str(org),
            "--inventory",
            str(org.parent / "inventory.yaml"),
            "--format",
            "sarif",
            "-o",
            str(target),
        ],
        base_env(),
    )
    assert code == 0, terminal
    assert stdout == b""
    assert "Reading inventory, logs and GitHub" in terminal
    assert "Rendering" in terminal
    assert target.read_text(encoding="utf-8").startswith("{")
