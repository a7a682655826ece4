"""The ``nhi-evidence`` command line: a thin click layer over the pipeline and renderers.

Exit codes (also in ``--help`` and the README):
  0  the command completed (scan: and no ``--fail-on`` threshold was met)
  1  completed, and the ``--fail-on`` threshold was met (scan, diff) or the pack is not intact (verify)
  2  usage or input error (bad option, unreadable PATH, malformed mapping or configuration)
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from nhi_evidence import __version__
from nhi_evidence.clock import Clock, fixed_clock, parse_instant, system_clock
from nhi_evidence.frameworks.catalog import CatalogError, load_crosswalk, load_frameworks, resolve_control
from nhi_evidence.model import Assessment, Severity
from nhi_evidence.pipeline import ScanRequest, assess
from nhi_evidence.renderers import OutputFormat, RenderError, RenderOptions
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
REQUEST_PARAMS = frozenset({"paths", "mapping_dirs", "frameworks", "jobs", "now"})


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
            help="Worker processes for collection (0: one per core).",
        ),
        click.option("--now", help="Fix the clock (ISO 8601) for reproducible output; also NHI_EVIDENCE_NOW."),
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
    return ScanRequest(
        roots=paths,
        options=options,
        mapping_dirs=mapping_dirs,
        frameworks=tuple(params.get("frameworks") or ()),
        jobs=int(params.get("jobs") or 0),
    )


def run_assessment(request: ScanRequest, clock: Clock, **kwargs: Any) -> Assessment:
    """Run the pipeline, turning catalog and mapping problems into input errors."""
    try:
        return assess(request, clock, **kwargs)
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
            for name, content in sorted(renderer.render_files(assessment, options).items()):
                target = output / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            return
        content = renderer.render(assessment, options)
    except RenderError as exc:
        fail(str(exc))
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)


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
    help="Exit 1 when a failed check at or above this severity is found.",
)
@click.option("--org", "organization", default="", help="Organisation name for reports.")
@click.option("--period", default="", help="Assessment period label for reports (2026-Q4).")
def scan(
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    organization: str,
    period: str,
    **source: Any,
) -> None:
    """Scan repositories (PATH: a repository or a folder of repositories)."""
    request = build_request(source)
    assessment = run_assessment(
        request, make_clock(source.get("now")), metadata={"organization": organization, "period": period}
    )
    out_format = OutputFormat(fmt)
    color = (
        out_format is OutputFormat.TEXT and output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    write_output(out_format, assessment, output, RenderOptions(organization=organization, period=period, color=color))
    if output is not None:
        click.echo(f"Wrote {out_format.value} to {printable(str(output))}", err=True)
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


if __name__ == "__main__":  # pragma: no cover
    main()
