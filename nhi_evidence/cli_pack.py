"""The ``pack``, ``verify``, ``diff``, ``trend`` and ``keygen`` commands (registered in ``cli.main``).

``pack`` accepts every source option ``scan`` accepts (the shared ``source_options`` decorator), so a
new source reaches packs with no change here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nhi_evidence.cli import EXIT_CODES_HELP, ExitCode, build_request, fail, make_clock, run_assessment, source_options
from nhi_evidence.cli_config import setting
from nhi_evidence.diff.compare import DiffReport, compare, gate, with_labels
from nhi_evidence.diff.inputs import InputError, Snapshot, from_assessment, load_snapshot
from nhi_evidence.diff.render import DiffFormat, render, render_markdown
from nhi_evidence.diff.render import to_dict as diff_dict
from nhi_evidence.diff.trend import build_trend, render_trend_html, render_trend_text
from nhi_evidence.gitref import GitRefError, at_ref
from nhi_evidence.model import Severity
from nhi_evidence.pack import signing
from nhi_evidence.pack.build import (
    EvidenceCopies,
    PackBuildError,
    PackOptions,
    PreviousPack,
    build_pack,
    check_target,
    staging,
)
from nhi_evidence.pack.manifest import PackPathError
from nhi_evidence.pack.verify import PackError, load_manifest, open_pack, verify_pack
from nhi_evidence.pipeline import ScanRequest
from nhi_evidence.textsafe import printable


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror})")
    click.echo(f"Wrote {printable(str(output))}", err=True)


def _previous(path: Path) -> tuple[PreviousPack, Any]:
    """The previous pack's chain record and snapshot; it must verify (hashes) before it is chained."""
    report = verify_pack(path)
    if not report.intact:
        problems = report.problems + [f"missing {m}" for m in report.missing] + report.altered
        problems += [f"extra {x}" for x in report.extra]
        fail(f"--previous {path}: the pack is not intact ({'; '.join(problems[:5])}); run nhi-evidence verify")
    try:
        manifest, _ = load_manifest(open_pack(path))
        snapshot = load_snapshot(path)
    except (PackError, InputError) as exc:
        fail(f"--previous: {exc}")
    return PreviousPack(report.manifest_sha256, manifest.period, manifest.created_at), snapshot


@click.command(epilog=EXIT_CODES_HELP)
@source_options
@click.option("--period", default="", help="Period the pack covers (2026-Q4); required here or in the configuration.")
@click.option(
    "--org", "organization", default="", help="Organisation named in the pack; required here or in the configuration."
)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Pack folder to create.")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="Previous pack (folder or archive): chain it and include the diff.",
)
@click.option("--sign-key", type=click.Path(path_type=Path), help="Ed25519 private key (PEM) to sign manifest.json.")
@click.option("--archive", is_flag=True, default=False, help="Also write OUT.tar.gz (reproducible bytes).")
@click.option("--force", is_flag=True, default=False, help="Replace an existing pack at OUT.")
def pack(
    period: str,
    organization: str,
    out: Path,
    previous: Path | None,
    sign_key: Path | None,
    archive: bool,
    force: bool,
    **source: Any,
) -> None:
    """Build an audit pack: assessment, OSCAL, PDF/HTML report and redacted evidence, hashed in manifest.json."""
    request = build_request(source)
    # Values left at their default come from the project configuration, as for scan.
    organization, period = setting("organization", organization), setting("period", period)
    if not period or not organization:
        fail("pack needs --period and --org (or period and organization in the configuration file)")
    clock = make_clock(source.get("now"))
    key = None
    if sign_key is not None:
        try:
            key = signing.load_private_key(sign_key)
        except signing.SigningError as exc:
            fail(str(exc))
    prev, prev_snapshot = _previous(previous) if previous is not None else (None, None)
    try:
        check_target(out, force, archive)
        with staging(out) as tmp, EvidenceCopies(tmp, request.jobs, consume=True) as copies:
            assessment = run_assessment(
                request,
                clock,
                metadata={"organization": organization, "period": period},
                on_collected=copies.start,
            )
            diff: DiffReport | None = None
            if prev_snapshot is not None:
                diff = compare(prev_snapshot, from_assessment(assessment, period))
            options = PackOptions(
                organization=organization,
                period=period,
                previous=prev,
                diff=diff_dict(diff) if diff else None,
                diff_markdown=render_markdown(diff) if diff else "",
                sign_key=key,
                archive=archive,
                force=force,
                jobs=request.jobs,
                consume=True,
            )
            result = build_pack(tmp, out, assessment, options, copies)
    except PackBuildError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write the pack ({exc.strerror or exc})")
    click.echo(f"Pack written to {printable(str(result.path))}")
    click.echo(f"  files: {len(result.manifest.files)} (+ manifest.json{' + signature' if key else ''})")
    click.echo(f"  manifest sha256: {result.manifest_sha256}")
    for name in ("report.pdf", "report.html"):
        if name in result.manifest.by_path():
            click.echo(f"  {name}: {printable(str(result.path / name))}")
    if result.archive:
        click.echo(f"  archive: {printable(str(result.archive))}")
    if prev:
        click.echo(f"  previous pack: {printable(prev.period)} (manifest sha256 {prev.manifest_sha256})")


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("pack_path", metavar="PACK", type=click.Path(path_type=Path))
@click.option("--key", type=click.Path(path_type=Path), help="Ed25519 public key (PEM) to check the signature.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(pack_path: Path, key: Path | None, fmt: str) -> None:
    """Verify a pack (folder or .tar.gz): every hash, extra or missing files, and the signature."""
    if not pack_path.exists():
        fail(f"{pack_path}: no such pack")
    if key is not None:
        try:
            signing.load_public_key(key)
        except signing.SigningError as exc:
            fail(str(exc))
    report = verify_pack(pack_path, key)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        p = printable
        for name in report.missing:
            click.echo(f"MISSING  {p(name)}")
        for sentence in report.altered:
            click.echo(f"ALTERED  {p(sentence)}")
        for name in report.extra:
            click.echo(f"EXTRA    {p(name)}")
        for problem in report.problems:
            click.echo(f"ERROR    {p(problem)}")
        if report.signature_detail:
            click.echo(f"SIGNATURE {report.signature}: {p(report.signature_detail)}")
        verdict = "intact" if report.intact else "NOT intact"
        click.echo(
            f"{p(str(pack_path))}: {verdict} ({report.files_checked} files checked, manifest sha256 {report.manifest_sha256 or 'n/a'})"
        )
    sys.exit(ExitCode.OK if report.intact else ExitCode.THRESHOLD)


def _ref_snapshot(
    path: Path, ref: str, now: str | None, mapping_dirs: tuple[Path, ...], frameworks: tuple[str, ...]
) -> Snapshot:
    """Assess path as it was at ref (no project configuration: both sides use the same shipped defaults)."""
    if not path.is_dir():
        fail(f"--git {path}: not a folder")
    request = ScanRequest(roots=(path,), options={"ref": ref}, mapping_dirs=mapping_dirs, frameworks=frameworks)
    try:
        request = at_ref(request, ref)
    except GitRefError as exc:
        fail(str(exc))
    assessment = run_assessment(request, make_clock(now), metadata={"ref": ref})
    return from_assessment(assessment, ref)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--git",
    "git_path",
    type=click.Path(path_type=Path),
    help="Compare two refs of this repository: diff --git PATH OLD_REF NEW_REF.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in DiffFormat]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@click.option(
    "--fail-on", type=click.Choice(["regression"]), help="Exit 1 when a control regressed or a new finding appeared."
)
@click.option(
    "--severity",
    type=click.Choice([s.value for s in Severity]),
    default=Severity.INFO.value,
    show_default=True,
    help="With --fail-on regression: lowest severity of a new finding that fails.",
)
@click.option(
    "--mappings",
    "mapping_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="With --git: extra mapping folders.",
)
@click.option("--framework", "frameworks", multiple=True, help="With --git: report only these framework ids.")
@click.option("--now", help="With --git: fix the clock (ISO 8601).")
def diff(
    inputs: tuple[str, ...],
    git_path: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    severity: str,
    mapping_dirs: tuple[Path, ...],
    frameworks: tuple[str, ...],
    now: str | None,
) -> None:
    """Compare OLD and NEW: packs, assessment.json files or OSCAL assessment-results (or two git refs with --git)."""
    if len(inputs) != 2:
        fail("diff needs exactly two inputs: OLD NEW (or --git PATH OLD_REF NEW_REF)")
    if git_path is not None:
        old = _ref_snapshot(git_path, inputs[0], now, mapping_dirs, frameworks)
        new = _ref_snapshot(git_path, inputs[1], now, mapping_dirs, frameworks)
        report = with_labels(compare(old, new), inputs[0], inputs[1])
    else:
        try:
            old, new = load_snapshot(Path(inputs[0])), load_snapshot(Path(inputs[1]))
        except (InputError, PackPathError) as exc:
            fail(str(exc))
        for given, side in zip(inputs, (old, new), strict=True):
            if side.manifest_sha256 and not verify_pack(Path(given)).intact:
                # The comparison still runs (it may be how the change is found), but says so.
                click.echo(
                    f"nhi-evidence: warning: {printable(given)} is not intact; run nhi-evidence verify", err=True
                )
        report = compare(old, new)
    _write_text(render(report, DiffFormat(fmt)), output)
    if fail_on == "regression":
        reasons = gate(report, Severity(severity))
        if reasons:
            click.echo(f"nhi-evidence: gate failed: {len(reasons)} reason(s), first: {printable(reasons[0])}", err=True)
            sys.exit(ExitCode.THRESHOLD)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("packs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def trend(packs: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Coverage per framework across packs, in period order (HTML: with an SVG chart)."""
    try:
        result = build_trend(list(packs))
    except (InputError, PackPathError) as exc:
        fail(str(exc))
    _write_text(render_trend_html(result) if fmt == "html" else render_trend_text(result), output)


@click.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Private key file to create (PEM).")
def keygen(out: Path) -> None:
    """Create an Ed25519 key pair for signing packs: OUT (private, mode 0600) and OUT.pub.pem beside it."""
    try:
        public = signing.generate(out)
    except signing.SigningError as exc:
        fail(str(exc))
    click.echo(f"Private key: {printable(str(out))} (keep it secret; sign with pack --sign-key)")
    click.echo(f"Public key:  {printable(str(public))} (share it; check with verify --key)")


COMMANDS: tuple[click.Command, ...] = (pack, verify, diff, trend, keygen)
"""Commands this module adds to ``nhi-evidence``."""
