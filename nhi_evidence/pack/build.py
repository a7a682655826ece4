"""Building an audit pack: every output of one assessment plus its redacted evidence, hashed and atomic.

The pack is written into a temporary folder beside the target (``.<name>.partial-<pid>-<random>``)
and renamed to the target only when complete, so an interrupted run (even a killed process) leaves
nothing at ``--out``; a later run removes partial folders whose process is gone. An existing pack is
replaced only with ``force``, and only when it is a pack (a folder holding ``manifest.json``) or empty.

Reports cannot quote the hash of the manifest that lists them, so they quote the *content digest*
(``content_sha256``): a SHA-256 over the hashes of ``assessment.json`` and every ``evidence/`` file,
recorded in the manifest and rechecked by ``verify``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic_core
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nhi_evidence import serialize
from nhi_evidence.clock import isoformat
from nhi_evidence.model import Assessment, Evidence
from nhi_evidence.pack import parallel, signing
from nhi_evidence.pack.archive import pack_files, write_archive
from nhi_evidence.pack.manifest import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    FileEntry,
    Manifest,
    check_pack_path,
    content_digest,
    sha256_hex,
)
from nhi_evidence.pack.parallel import PartError
from nhi_evidence.renderers import OutputFormat, RenderError, RenderOptions
from nhi_evidence.renderers.interface import Renderer
from nhi_evidence.secretscan import redact_document
from nhi_evidence.sinks import BinaryWriter, DirectorySink, FileSink, Part

#: Where each output format goes in a pack; formats not listed go under ``reports/``.
FORMAT_PATHS: Mapping[str, str] = {
    "oscal": "oscal/assessment-results.json",
    "pdf": "report.pdf",
    "html": "report.html",
    "text": "summary.txt",
}
#: Formats not rendered into a pack (``assessment.json`` is the JSON contract already).
SKIPPED_FORMATS = frozenset({"json"})

_PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)-[0-9a-f]+$")
_SAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._@+=-]")


class PackBuildError(Exception):
    """The pack cannot be built (message fit for the user)."""


@dataclass(frozen=True)
class PreviousPack:
    """The pack a new pack follows (``--previous``)."""

    manifest_sha256: str
    """SHA-256 of its ``manifest.json``."""
    period: str
    """Its period label."""
    created_at: str
    """Its creation time."""


@dataclass(frozen=True)
class PackOptions:
    """How to build a pack."""

    organization: str = ""
    """Organisation named in the manifest and reports."""
    period: str = ""
    """Period label (2026-Q4)."""
    previous: PreviousPack | None = None
    """The previous pack, chained by its manifest hash."""
    diff: Mapping[str, Any] | None = None
    """The diff against the previous pack (``DiffReport`` as a dict), for the reports and ``diff.json``."""
    diff_markdown: str = ""
    """The same diff as Markdown (``diff.md``)."""
    sign_key: Ed25519PrivateKey | None = None
    """Key for the detached signature of the manifest."""
    archive: bool = False
    """Also write ``<out>.tar.gz``."""
    force: bool = False
    """Replace an existing pack."""
    formats: tuple[str, ...] = field(default_factory=lambda: tuple(f.value for f in OutputFormat))
    """Output formats to render (every registered one by default)."""
    jobs: int = 0
    """Processes writing the pack (0: one per CPU, at most two: see ``pack.parallel``)."""


@dataclass(frozen=True)
class PackResult:
    """What was written."""

    path: Path
    """The pack folder."""
    manifest: Manifest
    """Its manifest."""
    manifest_sha256: str
    """SHA-256 of ``manifest.json``."""
    archive: Path | None = None
    """The archive, with ``archive=True``."""


def archive_path(out: Path) -> Path:
    """Where ``--archive`` writes the archive of the pack at out."""
    return out.with_name(out.name + ".tar.gz")


def _is_pack_or_empty(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and ((path / MANIFEST_NAME).is_file() or not any(path.iterdir()))


def check_target(out: Path, force: bool, archive: bool) -> None:
    """Refuse to overwrite without force, and never replace something that is not a pack."""
    if out.exists() or out.is_symlink():
        if not force:
            raise PackBuildError(f"{out} already exists (give --force to replace the pack)")
        if not _is_pack_or_empty(out):
            raise PackBuildError(f"{out} exists and is not an nhi-evidence pack (refusing to replace it)")
    target = archive_path(out)
    if archive and target.exists() and not force:
        raise PackBuildError(f"{target} already exists (give --force to replace it)")
    if not out.parent.exists():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PackBuildError(f"{out.parent}: cannot create folder ({exc.strerror})") from None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(out: Path) -> None:
    """Remove partial folders of earlier runs for this target whose process is gone."""
    with contextlib.suppress(OSError):
        for entry in out.parent.iterdir():
            match = _PARTIAL.match(entry.name)
            if match and match["name"] == out.name and not _pid_alive(int(match["pid"])):
                shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A temporary folder beside out, removed when the block raises (the caller commits on success)."""
    remove_stale_partials(out)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str)
    return str(value)


def _json_bytes(doc: Any, sort_keys: bool = False) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=sort_keys, default=_json_default) + "\n").encode(
        "utf-8"
    )


def json_safe(value: Any) -> Any:
    """A JSON-compatible, redacted copy of value (paths and dates become strings)."""
    redacted, _ = redact_document(json.loads(json.dumps(value, default=_json_default)))
    return redacted


def evidence_path(evidence: Evidence, taken: set[str]) -> str:
    """Path of one evidence record in the pack: ``evidence/`` + its source, made safe, + ``.json``."""
    source = evidence.source.replace("://", "/", 1)
    segments = [_SAFE_SEGMENT.sub("_", s) for s in source.split("/") if s not in ("", ".")]
    segments = [s if s not in ("..", "") else "_" for s in segments] or ["_"]
    path = "evidence/" + "/".join(segments) + ".json"
    if path in taken:
        path = path.removesuffix(".json") + f"~{_SAFE_SEGMENT.sub('_', evidence.id)}.json"
    check_pack_path(path)
    taken.add(path)
    return path


def evidence_document(evidence: Evidence) -> dict[str, Any]:
    """One collected source as stored in a pack: its record and its parsed data, redacted again."""
    data, _ = redact_document(json.loads(json.dumps(evidence.data, default=_json_default)))
    return {
        "id": evidence.id,
        "collector": evidence.collector,
        "source": evidence.source,
        "repository": evidence.repository,
        "media_type": evidence.media_type,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "collected_at": isoformat(evidence.collected_at),
        "data": data,
    }


@dataclass(frozen=True)
class _Under:
    """A sink that puts every file under a folder of another sink."""

    sink: FileSink
    folder: str

    def open(self, rel: str) -> AbstractContextManager[BinaryWriter]:
        return self.sink.open(f"{self.folder}/{rel}")

    def write(self, rel: str, content: bytes) -> None:
        self.sink.write(f"{self.folder}/{rel}", content)


#: Estimated seconds per finding of the JSON contract and per evidence copy (10,000 repositories).
CONTRACT_COST_PER_FINDING = 30e-6
EVIDENCE_COST_PER_FILE = 600e-6
#: Estimated seconds the HTML twin adds to the PDF report's part (its template, not its context).
HTML_TWIN_COST = 1.0
#: Evidence copies are written in this many parts, so both processes can share them.
EVIDENCE_PARTS = 8


def _part(name: str, cost: float, write: Callable[[FileSink], None], label: str = "") -> Part:
    """A part whose rendering errors become PartError naming the output format."""

    def guarded(sink: FileSink) -> None:
        try:
            write(sink)
        except RenderError as exc:
            raise PartError(f"rendering {name} failed: {exc}") from None

    return Part(label or name, cost, guarded)


def _write_under(piece: Part, folder: str, sink: FileSink) -> None:
    piece.write(_Under(sink, folder))


def _format_parts(
    assessment: Assessment, options: PackOptions, extra: Mapping[str, Any], *, quoting_digest: bool
) -> list[Part]:
    """A part per output format (per OSCAL document), of the formats quoting the digest or of the others."""
    render_options = RenderOptions(organization=options.organization, period=options.period, extra=dict(extra))
    parts: list[Part] = []
    twins = quoting_digest and {"pdf", "html"} <= set(options.formats)
    if twins:
        parts.append(_report_twins_part(assessment, render_options))
    for name in options.formats:
        if name in SKIPPED_FORMATS or (twins and name in ("pdf", "html")):
            continue
        renderer = OutputFormat(name).renderer()
        if renderer.quotes_pack_digest != quoting_digest:
            continue
        if renderer.directory:
            folder = FORMAT_PATHS.get(name, f"reports/{name}/x").rsplit("/", 1)[0]
            try:
                pieces = renderer.parts(assessment, render_options)
            except RenderError as exc:
                raise PackBuildError(f"rendering {name} failed: {exc}") from None
            for piece in pieces:
                parts.append(_part(name, piece.cost, functools.partial(_write_under, piece, folder), piece.name))
        else:
            rel = FORMAT_PATHS.get(name, f"reports/assessment.{renderer.extension}")

            def write(sink: FileSink, renderer: Renderer = renderer, rel: str = rel) -> None:
                with sink.open(rel) as handle:
                    renderer.write(assessment, render_options, handle)

            parts.append(_part(name, renderer.cost(assessment), write))
    return parts


def _report_twins_part(assessment: Assessment, render_options: RenderOptions) -> Part:
    """One part writing the PDF report and its HTML twin, which share the report's context."""
    pdf = OutputFormat.PDF.renderer()

    def write(sink: FileSink) -> None:
        from nhi_evidence.report.render import render_pdf_and_html  # loads weasyprint: only when used

        content, html = render_pdf_and_html(assessment, render_options)
        sink.write(FORMAT_PATHS["pdf"], content)
        sink.write(FORMAT_PATHS["html"], html)

    # The HTML twin adds its template rendering to the PDF's cost, not a second context.
    return _part("pdf", pdf.cost(assessment) + HTML_TWIN_COST, write, "pdf and html")


def _evidence_parts(assessment: Assessment, paths: Mapping[str, str]) -> list[Part]:
    records = list(assessment.evidence)
    size = max(1, -(-len(records) // EVIDENCE_PARTS))
    parts = []
    for start in range(0, len(records), size):
        chunk = records[start : start + size]

        def write(sink: FileSink, chunk: list[Evidence] = chunk) -> None:
            for evidence in chunk:
                sink.write(paths[evidence.id], pydantic_core.to_json(evidence_document(evidence), indent=2) + b"\n")

        parts.append(Part(f"evidence {start + 1}-{start + len(chunk)}", EVIDENCE_COST_PER_FILE * len(chunk), write))
    return parts


def _fill(candidates: list[Part], costs: list[float]) -> list[Part]:
    """Candidates to run beside parts of these costs so that two processes finish together."""
    loads = [0.0, 0.0]
    for cost in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += cost
    gap = max(loads) - min(loads)
    chosen = []
    for part in sorted(candidates, key=lambda p: (-p.cost, p.name)):
        if part.cost <= gap:
            chosen.append(part)
            gap -= part.cost
    return chosen


def _run(parts: list[Part], sink: DirectorySink, options: PackOptions) -> None:
    workers = options.jobs or os.cpu_count() or 1
    try:
        parallel.run(parts, sink, workers)
    except PartError as exc:
        raise PackBuildError(str(exc)) from None


def write_pack(tmp: Path, assessment: Assessment, options: PackOptions) -> tuple[Manifest, bytes]:
    """Write every file of the pack into tmp (a staging folder) and return the manifest and its bytes.

    Files are hashed as they are written (``sinks.DirectorySink``), never read back. The outputs are
    written in two rounds, each shared between two processes when there are two CPUs
    (``pack.parallel``): the JSON contract, the evidence copies (whose hashes the reports quote) and
    most other outputs, then the PDF and HTML reports with a few small outputs kept back for them.
    """
    sink = DirectorySink(tmp, check=check_pack_path, atomic=False)
    taken: set[str] = set()
    paths = {evidence.id: evidence_path(evidence, taken) for evidence in assessment.evidence}

    def contract(out: FileSink) -> None:
        with out.open("assessment.json") as handle:
            serialize.write(assessment, handle)

    contract_part = Part("assessment.json", CONTRACT_COST_PER_FINDING * len(assessment.findings), contract)
    # OSCAL documents sit in oscal/: their observations link to the evidence copies relative to it.
    hrefs = {evidence_id: f"../{rel}" for evidence_id, rel in paths.items()}
    extra: dict[str, Any] = {"evidence_hrefs": hrefs}
    if options.previous:
        extra["previous_manifest_sha256"] = options.previous.manifest_sha256
    if options.diff is not None:
        extra["diff"] = dict(options.diff)
        sink.write("diff.json", _json_bytes(options.diff))
        if options.diff_markdown:
            sink.write("diff.md", options.diff_markdown.encode("utf-8"))
    # The reports quote the content digest, a hash over the contract and the evidence copies: they
    # are written in a second round. Every other output joins the first round, except a few kept
    # back so that both processes stay busy in the second (measured at N = 10,000: 68-71 s to
    # write the pack this way, 73-85 s when the first round held only the contract and evidence).
    others = _format_parts(assessment, options, extra, quoting_digest=False)
    # Parts are only planned here (nothing renders): their costs do not depend on the digest.
    report_costs = [part.cost for part in _format_parts(assessment, options, extra, quoting_digest=True)]
    kept_back = _fill(others, report_costs)
    _run(
        [contract_part, *_evidence_parts(assessment, paths), *(p for p in others if p not in kept_back)], sink, options
    )
    digest = content_digest({rel: written.sha256 for rel, written in sink.written.items()})
    extra.update({"manifest_sha256": digest, "content_sha256": digest})
    _run([*_format_parts(assessment, options, extra, quoting_digest=True), *kept_back], sink, options)
    on_disk = pack_files(tmp)
    if on_disk != sorted(sink.written):
        raise PackBuildError(f"{tmp}: files appeared in or vanished from the pack folder while it was written")
    files = tuple(FileEntry(rel, sink.written[rel].sha256, sink.written[rel].size) for rel in on_disk)
    signature = None
    if options.sign_key is not None:
        signature = {
            "algorithm": signing.ALGORITHM,
            "file": SIGNATURE_NAME,
            "public_key_sha256": signing.public_key_sha256(options.sign_key.public_key()),
        }
    scope = assessment.scope
    manifest = Manifest(
        files=files,
        tool={"name": "nhi-evidence", "version": assessment.tool_version},
        organization=options.organization,
        period=options.period,
        created_at=isoformat(assessment.created_at),
        assessment_id=assessment.id,
        sources=json_safe(
            {
                "roots": list(scope.roots),
                "repositories": list(scope.repositories),
                "collectors": list(scope.collectors),
                "options": dict(scope.sources),
            }
        ),
        content_sha256=digest,
        previous=(
            {
                "manifest_sha256": options.previous.manifest_sha256,
                "period": options.previous.period,
                "created_at": options.previous.created_at,
            }
            if options.previous
            else None
        ),
        signature=signature,
    )
    raw = manifest.dumps()
    (tmp / MANIFEST_NAME).write_bytes(raw)
    if options.sign_key is not None:
        (tmp / SIGNATURE_NAME).write_bytes(signing.sign(options.sign_key, raw))
    return manifest, raw


def commit(tmp: Path, out: Path, force: bool) -> None:
    """Move the finished staging folder to out (replacing an existing pack only with force)."""
    if out.exists() or out.is_symlink():
        if not force:
            raise PackBuildError(f"{out} appeared while the pack was built (not overwritten)")
        old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)


def write_pack_archive(pack_dir: Path, out: Path, mtime: int) -> Path:
    """Write ``<out>.tar.gz`` atomically (temporary file beside it, then rename)."""
    target = archive_path(out)
    tmp = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        write_archive(pack_dir, tmp, out.name, mtime)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def build_pack(tmp: Path, out: Path, assessment: Assessment, options: PackOptions) -> PackResult:
    """Write the pack into the staging folder tmp, then commit it to out (and the archive when asked)."""
    manifest, raw = write_pack(tmp, assessment, options)
    archive = None
    if options.archive:
        archive = write_pack_archive(tmp, out, int(assessment.created_at.timestamp()))
    commit(tmp, out, options.force)
    return PackResult(out, manifest, sha256_hex(raw), archive)
