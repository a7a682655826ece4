"""The ``nhi-evidence`` command line: a thin click layer over the pipeline and renderers.

Exit codes (also in ``--help`` and the README):
  0  the command completed (scan: and no ``--fail-on`` threshold was met)
  1  completed, and the ``--fail-on`` threshold was met (scan, diff) or the pack is not intact (verify)
  2  usage or input error (bad option, unreadable PATH, malformed mapping or configuration)
"""

from __future__ import annotations

import atexit
import contextlib
import enum
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from nhi_evidence import __version__
from nhi_evidence.acceptance import apply_acceptance
from nhi_evidence.cli_config import CONFIG_PARAMS, apply_config, config_group, config_options, loaded, setting
from nhi_evidence.clock import Clock, fixed_clock, parse_instant, system_clock
from nhi_evidence.config import ConfigError
from nhi_evidence.frameworks.catalog import CatalogError, load_crosswalk, load_frameworks, resolve_control
from nhi_evidence.model import Assessment, Severity
from nhi_evidence.oscal.common import DEFAULT_OSCAL_VERSION, OSCAL_VERSIONS
from nhi_evidence.pipeline import ScanRequest, assess
from nhi_evidence.progress import reporting, summary_table
from nhi_evidence.renderers import OutputFormat, RenderError, RenderOptions
from nhi_evidence.sinks import DirectorySink
from nhi_evidence.summary import at_or_above
from nhi_evidence.textsafe import printable


class ExitCode(enum.IntEnum):
    """Process exit codes."""

    OK = 0
    """The command completed."""
    THRESHOLD = 1
    """Completed and a failure threshold was met (or verification failed)."""
    USAGE = 2
    """Usage or input error."""


EXIT_CODES_HELP = (
    "\b\nExit codes:\n"
    "  0  completed (and no --fail-on threshold met)\n"
    "  1  completed and the --fail-on threshold was met; verify: pack not intact\n"
    "  2  usage or input error"
)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Print an error for the user (no traceback) and exit with the usage/input code."""
    click.echo(f"nhi-evidence: error: {printable(message)}", err=True)
    sys.exit(ExitCode.USAGE)


def make_clock(now: str | None) -> Clock:
    """The clock for a run: ``--now``, else ``NHI_EVIDENCE_NOW``, else the system clock."""
    text = now or os.environ.get("NHI_EVIDENCE_NOW")
    if not text:
        return system_clock
    try:
        return fixed_clock(parse_instant(text))
    except ValueError:
        fail(f"--now / NHI_EVIDENCE_NOW must be an ISO 8601 instant, not {text!r}")


#: Options of ``source_options`` that shape the request itself; every other one is a source option
#: passed to collectors and probes through ``ScanRequest.options`` under its parameter name.
REQUEST_PARAMS = frozenset({"paths", "mapping_dirs", "frameworks", "jobs", "now", *CONFIG_PARAMS})


def source_options(func: F) -> F:
    """Options that choose what evidence is collected; shared by ``scan`` and ``pack``.

    Adding a source: one ``click.option`` here; its value reaches collectors as
    ``ctx.options[<parameter name>]`` with no change to the commands.
    """
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--mappings",
            "mapping_dirs",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Folder with extra frameworks/ and links/ (repeatable).",
        ),
        click.option("--framework", "frameworks", multiple=True, help="Report only these framework ids (repeatable)."),
        click.option(
            "--jobs",
            type=click.IntRange(0, 256),
            default=0,
            show_default=True,
            help="Worker processes for collection, and for writing a pack (0: one per core; a pack uses at most two).",
        ),
        click.option("--now", help="Fix the clock (ISO 8601) for reproducible output; also NHI_EVIDENCE_NOW."),
        click.option(
            "--ref", help="Read PATH as it was at this git commit, tag or branch (from git objects; no checkout)."
        ),
        # Project configuration (README section "integration"): --config / --no-config, and --exclude.
        *config_options(),
        click.option(
            "--exclude", multiple=True, help="Glob of repository folders not scanned, relative to PATH (repeatable)."
        ),
        # Identity, governance and log sources (README section "identity"). Defaults stay None so that
        # "nothing to scan" is still detected; the probes and collectors apply the documented defaults.
        click.option("--inventory", type=click.Path(path_type=str), help="Identity inventory YAML file."),
        click.option(
            "--home",
            type=click.Path(path_type=str),
            help="Also scan this home folder's user-level assistant settings (opt-in; shown as ~).",
        ),
        click.option(
            "--audit-log",
            "audit_logs",
            multiple=True,
            type=click.Path(path_type=str),
            help="GitHub audit log export: JSON lines, JSON array or CSV (repeatable).",
        ),
        click.option("--github-org", help="Read governance settings of this GitHub organisation (GITHUB_TOKEN)."),
        click.option(
            "--github-repo", "github_repos", multiple=True, help="Read governance settings of OWNER/NAME (repeatable)."
        ),
        click.option(
            "--github-export", type=click.Path(path_type=str), help="Folder of saved GitHub API responses (offline)."
        ),
        click.option(
            "--no-git-history", is_flag=True, default=False, help="Do not read the git history of repositories."
        ),
        click.option(
            "--git-history-limit",
            type=click.IntRange(1, 10_000_000),
            help="Most commits read per repository [default: 5000].",
        ),
        click.option(
            "--rotation-days", type=click.IntRange(1, 3650), help="Credential rotation policy in days [default: 90]."
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def split_source_params(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the parameters of ``source_options`` into (request parameters, source options)."""
    request = {k: v for k, v in params.items() if k in REQUEST_PARAMS}
    options = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k not in REQUEST_PARAMS}
    return request, options


def build_request(source: dict[str, Any]) -> ScanRequest:
    """Check the source parameters and build a ScanRequest (exits with code 2 on bad input)."""
    try:
        # The project configuration fills what the command line left at its default.
        source = apply_config(source, REQUEST_PARAMS)
    except ConfigError as exc:
        fail(str(exc))
    params, options = split_source_params(source)
    paths: tuple[Path, ...] = tuple(params.get("paths") or ())
    mapping_dirs: tuple[Path, ...] = tuple(params.get("mapping_dirs") or ())
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such folder")
        if not path.is_dir():
            fail(f"{path}: not a folder (give a repository or a folder of repositories)")
        if not os.access(path, os.R_OK | os.X_OK):
            fail(f"{path}: permission denied")
    for folder in mapping_dirs:
        if not folder.is_dir():
            fail(f"--mappings {folder}: not a folder")
    if not paths and not any(v for v in options.values()):
        fail("nothing to scan: give at least one PATH or a source option")
    request = ScanRequest(
        roots=paths,
        options=options,
        mapping_dirs=mapping_dirs,
        frameworks=tuple(params.get("frameworks") or ()),
        jobs=int(params.get("jobs") or 0),
    )
    if options.get("ref"):
        from nhi_evidence.gitref import GitRefError, at_ref

        try:
            request = at_ref(request, str(options["ref"]))
        except GitRefError as exc:
            fail(str(exc))
    return request


def run_assessment(request: ScanRequest, clock: Clock, **kwargs: Any) -> Assessment:
    """Run the pipeline, then apply the configured risk acceptance; catalog and mapping problems are input errors."""
    try:
        assessment = assess(request, clock, **kwargs)
        found = loaded()
        if found is not None:
            assessment = apply_acceptance(assessment, request, found[0].accepted_risks, found[0].suppressed_probes)
            if kwargs.get("progress"):
                kwargs["progress"]("accept", 1, 1)
        return assessment
    except CatalogError as exc:
        fail(str(exc))


def write_output(fmt: OutputFormat, assessment: Assessment, output: Path | None, options: RenderOptions) -> None:
    """Render and write to the output file or folder, or to standard output."""
    renderer = fmt.renderer()
    try:
        if renderer.directory:
            if output is None:
                fail(f"--format {fmt.value} writes a folder of files: give --output DIR")
            output.mkdir(parents=True, exist_ok=True)
            renderer.write_files(assessment, options, DirectorySink(output))
            return
        if output is None:
            content = renderer.render(assessment, options)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            # Large outputs (CSV, SARIF) are written as they are produced.
            with output.open("wb") as handle:
                renderer.write(assessment, options, handle)
            return
    except RenderError as exc:
        fail(str(exc))
    except OSError as exc:
        # A folder given where a file goes (or the reverse), no permission, a full disk.
        fail(f"{exc.filename or output}: cannot write the output ({exc.strerror or exc})")
    sys.stdout.buffer.write(content)
    sys.stdout.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="nhi-evidence")
def main() -> None:
    """Turn AI coding assistants' configuration and logs into audit evidence.

    Collects evidence about assistant identities, maps it to OWASP NHI Top 10 2025, OWASP Top 10 for
    Agentic Applications 2026 and NIST CSF 2.0, and renders JSON, OSCAL, PDF and audit packs.
    """


@main.command(epilog=EXIT_CODES_HELP)
@source_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to this file (or folder) instead of standard output."
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    help="Exit 1 when a failed check at or above this severity is found (accepted risks excepted).",
)
@click.option("--org", "organization", default="", help="Organisation name for reports.")
@click.option("--period", default="", help="Assessment period label for reports (2026-Q4).")
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/a-3b"]),
    default=None,
    help="PDF variant for --format pdf (pdf/a-3b for archiving).",
)
@click.option(
    "--oscal-version",
    type=click.Choice(list(OSCAL_VERSIONS)),
    default=DEFAULT_OSCAL_VERSION,
    show_default=True,
    help="OSCAL version for --format oscal (1.1.3 leaves out the mapping collection).",
)
@click.option("--quiet", "-q", is_flag=True, default=False, help="No progress bars or summary on standard error.")
@click.option("--verbose", "-v", is_flag=True, default=False, help="Show per-stage timings on standard error.")
def scan(
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    organization: str,
    period: str,
    pdf_variant: str | None,
    oscal_version: str,
    quiet: bool,
    verbose: bool,
    **source: Any,
) -> None:
    """Scan repositories (PATH: a repository or a folder of repositories)."""
    request = build_request(source)
    # Values the command line left at their default come from the project configuration.
    organization, period, fail_on = (
        setting("organization", organization),
        setting("period", period),
        setting("fail_on", fail_on),
    )
    clock = make_clock(source.get("now"))
    out_format = OutputFormat(fmt)
    color = (
        out_format is OutputFormat.TEXT and output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    render_options = RenderOptions(
        organization=organization,
        period=period,
        color=color,
        pdf_variant=pdf_variant,
        oscal_version=oscal_version,
    )
    with reporting(quiet) as reporter:
        assessment = run_assessment(
            request, clock, metadata={"organization": organization, "period": period}, progress=reporter
        )
        if output is not None:
            # Rendering a file (PDF, OSCAL) can take a while: the bar shows it; standard output is untouched.
            reporter("render", 0, 1)
            write_output(out_format, assessment, output, render_options)
            reporter("render", 1, 1)
    if output is None:
        render_started = time.perf_counter()
        write_output(out_format, assessment, output, render_options)
        reporter.mark("render", render_started)
    if output is not None and not quiet:
        click.echo(f"Wrote {out_format.value} to {printable(str(output))}", err=True)
    if not quiet and (output is not None or out_format is not OutputFormat.TEXT):
        # The text format is itself the summary; other formats get the table on standard error.
        reporter.console.print(summary_table(assessment))
    if verbose:
        reporter.console.print(reporter.timing_table())
    if fail_on and at_or_above(assessment, Severity(fail_on)):
        sys.exit(ExitCode.THRESHOLD)


@main.group()
def frameworks() -> None:
    """Inspect the shipped frameworks and controls."""


@frameworks.command("list")
@click.option(
    "--mappings", "mapping_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra mapping folders."
)
def frameworks_list(mapping_dirs: tuple[Path, ...]) -> None:
    """List frameworks and their control counts."""
    try:
        loaded = load_frameworks(mapping_dirs)
    except CatalogError as exc:
        fail(str(exc))
    click.echo(f"{'id':<28} {'controls':>8}  title")
    for framework in loaded:
        click.echo(f"{framework.id:<28} {len(framework.controls):>8}  {framework.title} {framework.version}")


@frameworks.command("show")
@click.argument("control_id")
@click.option(
    "--mappings", "mapping_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra mapping folders."
)
def frameworks_show(control_id: str, mapping_dirs: tuple[Path, ...]) -> None:
    """Show a control by id (CSF 1.1 ids resolve to CSF 2.0 with a note)."""
    from nhi_evidence.frameworks.mapping import load_mappings
    from nhi_evidence.probes import probe_definitions

    try:
        loaded = load_frameworks(mapping_dirs)
        resolutions = resolve_control(control_id, loaded, load_crosswalk())
        links = load_mappings(loaded, probe_definitions().keys(), mapping_dirs).by_control()
    except CatalogError as exc:
        fail(str(exc))
    if not resolutions:
        fail(f"no control with id {control_id!r} in {', '.join(f.id for f in loaded)}")
    for resolution in resolutions:
        if resolution.note:
            click.echo(f"Note: {resolution.note}")
        for control in resolution.controls:
            click.echo(
                f"{control.id}  ({resolution.framework.id}, {resolution.framework.title} {resolution.framework.version})"
            )
            if control.label:
                click.echo(f"  official id: {control.label}")
            click.echo(f"  {control.title}")
            if control.summary:
                click.echo(f"  {control.summary}")
            if control.group:
                click.echo(f"  group: {control.group}")
            if control.replaces:
                click.echo(f"  replaces CSF 1.1: {', '.join(control.replaces)}")
            if control.url:
                click.echo(f"  {control.url}")
            control_links = links.get((resolution.framework.id, control.id), [])
            if control_links:
                click.echo("  evidenced by probes:")
                for link in control_links:
                    click.echo(f"    {link.probe}: {link.rationale}")
            else:
                click.echo("  evidenced by no probe of this tool")


main.add_command(config_group)

# Audit packs, verification, diff and trend (README section "pack"); imported last: they build on this module.
from nhi_evidence.cli_pack import COMMANDS as PACK_COMMANDS  # noqa: E402

for _command in PACK_COMMANDS:
    main.add_command(_command)


@frameworks.command("export")
@click.argument("framework_id")
@click.option(
    "--format", "fmt", type=click.Choice(["oscal"]), default="oscal", show_default=True, help="Export format."
)
@click.option(
    "--oscal-version",
    type=click.Choice(list(OSCAL_VERSIONS)),
    default=DEFAULT_OSCAL_VERSION,
    show_default=True,
    help="OSCAL version of the catalog.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.option(
    "--mappings", "mapping_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra mapping folders."
)
@click.option("--now", help="Fix the last-modified time (ISO 8601); also NHI_EVIDENCE_NOW.")
def frameworks_export(
    framework_id: str,
    fmt: str,
    oscal_version: str,
    output: Path | None,
    mapping_dirs: tuple[Path, ...],
    now: str | None,
) -> None:
    """Export a framework (shipped or from --mappings) as an OSCAL catalog validated against the NIST schema."""
    from nhi_evidence.oscal import catalogs, validate
    from nhi_evidence.oscal.common import OscalError, dumps

    try:
        loaded = load_frameworks(mapping_dirs)
    except CatalogError as exc:
        fail(str(exc))
    framework = next((f for f in loaded if f.id == framework_id), None)
    if framework is None:
        fail(f"no framework with id {framework_id!r} (known: {', '.join(f.id for f in loaded)})")
    try:
        document = catalogs.build(framework, make_clock(now)(), oscal_version, __version__)
        validate.check(document, oscal_version)
    except OscalError as exc:
        fail(str(exc))
    content = dumps(document)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
        click.echo(f"Wrote the {fmt} catalog of {framework_id} to {printable(str(output))}", err=True)


def _register_github() -> None:
    # Imported late: the GitHub client pulls in httpx, which other commands do not need.
    from nhi_evidence.github.export import github

    main.add_command(github)


_register_github()


def _exit_status(code: object) -> int:
    """The process status ``SystemExit(code)`` gives, as the interpreter maps it (a message is printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run() -> None:
    """The console script: ``main``, then leave without tearing the interpreter down.

    Once a large run has written everything, the interpreter's own teardown frees its objects,
    module state and caches one by one: measured at 10,000 repositories, 3 to 6 s after the last
    output, for nothing. So the standard streams are flushed and the exit handlers run (``atexit``:
    logging, temporary files, child processes), then the process ends with the command's status.
    """
    try:
        main()
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    main_thread = threading.main_thread()
    if any(t is not main_thread and t.is_alive() and not t.daemon for t in threading.enumerate()):
        # Work still running in a thread: the interpreter's usual exit waits for it.
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        # The reader has gone (a closed pipe) or the stream is closed: nothing more can be said.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
