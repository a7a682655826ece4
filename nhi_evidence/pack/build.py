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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic_core
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nhi_evidence import serialize
from nhi_evidence.clock import isoformat
from nhi_evidence.gcpause import frozen_heap, release_memory
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
from nhi_evidence.report.context import DEFAULT_LIMITS, inventory_subjects
from nhi_evidence.secretscan import redact_document
from nhi_evidence.sinks import BinaryWriter, DirectorySink, FileSink, Part, Written

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
    consume: bool = False
    """Let the pack empty the assessment as it goes, for a caller that has no further use for it
    (the ``pack`` command): the evidence's documents and most subjects' facts once the JSON
    contract is written, every record once the reports' context is built (``release_read``). At
    10,000 repositories the pack then peaks about 150 MiB lower (README, "Performance")."""


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
#: Estimated seconds the HTML twin adds to the PDF report's part (its template, not its context),
#: and seconds per finding of building the report's context.
HTML_TWIN_COST = 0.5
REPORT_CONTEXT_COST_PER_FINDING = 11e-6
#: Evidence copies are written in this many parts, so both processes can share them.
EVIDENCE_PARTS = 8


def _part(name: str, cost: float, write: Callable[[FileSink], None], label: str = "") -> Part:
    """A part whose rendering errors become PartError naming the output format.

    The PDF's layout leaves its boxes in reference cycles (about 300,000 objects at 10,000
    repositories): a part writing the PDF collects them, and gives their memory back, once written.
    """

    def guarded(sink: FileSink) -> None:
        try:
            write(sink)
        except RenderError as exc:
            raise PartError(f"rendering {name} failed: {exc}") from None
        if name == "pdf":
            release_memory()

    return Part(label or name, cost, guarded)


def forget_unread(assessment: Assessment, keep_facts: frozenset[str] = frozenset()) -> None:
    """Let go of the subjects' facts (but those of keep_facts' ids) and the evidence's documents.

    In the pack's forked writer (as ``Background``'s ``prepare``): its parts are those that do
    not quote the content digest (OSCAL, CSV, SARIF, Markdown, text), and none of them reads
    either: the facts go to the JSON contract and the reports, the documents to the evidence
    copies, all written by the parent. The parent reads every fact for the contract, which copies
    their pages into it, so the child's own pages of them (100-130 MB at 10,000 repositories)
    would otherwise stay for nothing; freed, they hold the child's own tables instead (pack peak
    down by about 30 MiB at that scale).

    In the parent, only when the pack consumes the assessment (``PackOptions.consume``), once the
    contract and the copies are written; keep_facts then names the identities the report's
    inventory lists (``report.context.inventory_subjects``), the only facts read after.
    The records are frozen dataclasses shared by the whole program: this is sound only in a
    process that has no further use for what it drops.
    """
    no_facts: Mapping[str, Any] = {}
    for subject in assessment.subjects:
        if subject.id not in keep_facts:
            object.__setattr__(subject, "facts", no_facts)
    _forget_documents(assessment.evidence)
    release_memory()


def _forget_documents(evidence: Iterable[Evidence]) -> None:
    """Drop these records' parsed documents (frozen records: see ``forget_unread``)."""
    for record in evidence:
        object.__setattr__(record, "data", None)


def release_read(assessment: Assessment) -> None:
    """Let go of every record of an assessment the pack consumes, once the last part reading them has.

    Only what the manifest needs stays (ids, times, scope). Pages still shared with the pack's
    forked writer stay in memory for it; those it has copied by reading the records go back to
    the system, and the rest of the freed space holds the PDF's layout.
    """
    if not (assessment.subjects or assessment.evidence or assessment.findings or assessment.control_results):
        return
    for name in ("subjects", "evidence", "findings", "control_results", "skips", "errors"):
        object.__setattr__(assessment, name, ())
    release_memory()


def _write_under(piece: Part, folder: str, sink: FileSink) -> None:
    piece.write(_Under(sink, folder))


def _format_parts(
    assessment: Assessment,
    options: PackOptions,
    extra: Mapping[str, Any],
    *,
    quoting_digest: bool,
    context_built: Callable[[], None] | None = None,
) -> list[Part]:
    """A part per output format (per OSCAL document), of the formats quoting the digest or of the others.

    context_built: called by the PDF and HTML reports' shared part once their context is built.
    """
    render_options = RenderOptions(organization=options.organization, period=options.period, extra=dict(extra))
    parts: list[Part] = []
    # The PDF and HTML reports share one context when building it twice would cost more than
    # writing both in one process (at 10,000 repositories the context takes 3-4 s; at 1,000 the
    # two separate parts finish sooner).
    twins = (
        quoting_digest
        and {"pdf", "html"} <= set(options.formats)
        and REPORT_CONTEXT_COST_PER_FINDING * len(assessment.findings) > HTML_TWIN_COST
    )
    if twins:
        parts.append(_report_twins_part(assessment, render_options, context_built))
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


def _report_twins_part(
    assessment: Assessment, render_options: RenderOptions, context_built: Callable[[], None] | None = None
) -> Part:
    """One part writing the PDF report and its HTML twin, which share the report's context."""
    pdf = OutputFormat.PDF.renderer()

    def write(sink: FileSink) -> None:
        from nhi_evidence.report.render import render_pdf_and_html  # loads weasyprint: only when used

        content, html = render_pdf_and_html(assessment, render_options, context_built=context_built)
        sink.write(FORMAT_PATHS["pdf"], content)
        sink.write(FORMAT_PATHS["html"], html)

    # The HTML twin adds its template rendering to the PDF's cost, not a second context.
    return _part("pdf", pdf.cost(assessment) + HTML_TWIN_COST, write, "pdf and html")


def evidence_paths(evidence: Sequence[Evidence]) -> dict[str, str]:
    """Evidence id -> path of its copy in the pack (names taken in the order given: the assessment's)."""
    taken: set[str] = set()
    return {record.id: evidence_path(record, taken) for record in evidence}


class EvidenceCopies:
    """The evidence copies of a pack, hashed and written by a forked child while the scan goes on.

    The copies need only the collected evidence, and the probe stage runs in one process: started
    from the scan's ``on_collected`` hook, the child works on the second CPU meanwhile. It hashes
    every copy first, which is all the pack's content digest needs (``take``), and creates the
    files after: creating tens of thousands of files and folders waits on the file system, and
    measured at 10,000 repositories it took from 6 s to over 50 s depending on the other writes
    under way; nothing waits for the files until the pack is complete (``finish``). The files are
    created by a fresh interpreter the child turns into (``pack.spool``), which lets go of the
    pages the child copied from this process (about 270 MB at that scale).
    Without a second CPU or outside Linux (``pack.parallel``), or with ``jobs=1``, nothing starts
    and the pack writes them itself. Use as a context manager: leaving it stops an unjoined child.
    With ``consume`` (a pack that consumes its assessment, ``PackOptions.consume``), the records'
    documents are let go of in this process once the child is started.
    """

    def __init__(self, staging_dir: Path, jobs: int = 0, *, consume: bool = False) -> None:
        self._staging_dir = staging_dir
        self._jobs = jobs or os.cpu_count() or 1
        self._consume = consume
        self._ids: tuple[str, ...] = ()
        self._child: parallel.Background | None = None
        self._hashes: dict[str, Written] | None = None

    def start(self, evidence: Sequence[Evidence]) -> None:
        """Start writing the copies of these records (the assessment's evidence, in its order)."""
        if self._child is not None or self._jobs <= 1 or not parallel.can_fork():
            return
        self._ids = tuple(record.id for record in evidence)
        paths = evidence_paths(evidence)
        parts = _evidence_parts(evidence, paths)
        sink = DirectorySink(self._staging_dir, check=check_pack_path, atomic=False)
        self._child = parallel.Background(parts, sink, deferred=True)
        if self._consume:
            # Nothing else reads the documents (the probes read facts), and the child has its own:
            # let go of them before the probe stage, whose findings then fill the space they leave.
            _forget_documents(evidence)

    @property
    def started(self) -> bool:
        """Whether a child is writing the copies (``take`` then returns their hashes)."""
        return self._child is not None

    def take(self, assessment: Assessment) -> dict[str, Written] | None:
        """The hash and size of each copy of this assessment's evidence, or None when none were started.

        The files themselves may still be being written: ``finish`` waits for them.
        """
        if self._child is None:
            return None
        if tuple(record.id for record in assessment.evidence) != self._ids:
            self.close()
            raise RuntimeError("the evidence copies were started for other evidence than the pack's")
        try:
            self._hashes = self._child.hashes()
        except PartError as exc:
            self.close()
            raise PackBuildError(str(exc)) from None
        return self._hashes

    def finish(self) -> None:
        """Wait until the copies whose hashes ``take`` returned are written."""
        if self._child is None or self._hashes is None:
            return
        child, self._child = self._child, None
        try:
            written = child.join()
        except PartError as exc:
            raise PackBuildError(str(exc)) from None
        if written != self._hashes:
            raise RuntimeError("the evidence copies written differ from those hashed")

    def close(self) -> None:
        """Stop a child that was not joined."""
        if self._child is not None:
            self._child.close()
            self._child = None

    def __enter__(self) -> EvidenceCopies:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _evidence_parts(evidence: Sequence[Evidence], paths: Mapping[str, str]) -> list[Part]:
    records = list(evidence)
    size = max(1, -(-len(records) // EVIDENCE_PARTS))
    parts = []
    for start in range(0, len(records), size):
        chunk = records[start : start + size]

        def write(sink: FileSink, chunk: list[Evidence] = chunk) -> None:
            for evidence in chunk:
                sink.write(paths[evidence.id], pydantic_core.to_json(evidence_document(evidence), indent=2) + b"\n")

        parts.append(Part(f"evidence {start + 1}-{start + len(chunk)}", EVIDENCE_COST_PER_FILE * len(chunk), write))
    return parts


def write_pack(
    tmp: Path, assessment: Assessment, options: PackOptions, copies: EvidenceCopies | None = None
) -> tuple[Manifest, bytes]:
    """Write every file of the pack into tmp (a staging folder) and return the manifest and its bytes.

    Files are hashed as they are written (``sinks.DirectorySink``), never read back. The PDF and
    HTML reports quote the content digest, a hash over the JSON contract and the evidence copies,
    so this process writes the contract first (the copies were usually hashed during the scan, see
    ``EvidenceCopies``), computes the digest, then writes the reports. With two CPUs, a
    forked child (``pack.parallel``) meanwhile writes a share of the other outputs, chosen so both
    processes carry the same estimated work: there is no point where one waits for the other
    before the end (measured at N = 10,000: a wait of 15-25 s when the reports formed a second
    round after everything else).
    """
    sink = DirectorySink(tmp, check=check_pack_path, atomic=False)
    paths = evidence_paths(assessment.evidence)

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
    # Copies started during the scan: only their hashes are taken here, their files are waited for last.
    started = copies if copies is not None and copies.started else None
    # What this process writes before the digest, and the reports it writes after it (planned here
    # for their costs only: nothing renders until the digest is known).
    before = [contract_part, *([] if started else _evidence_parts(assessment.evidence, paths))]
    reports = _format_parts(assessment, options, extra, quoting_digest=True)
    others = _format_parts(assessment, options, extra, quoting_digest=False)
    workers = options.jobs or os.cpu_count() or 1
    forking = workers > 1 and parallel.can_fork() and bool(others)
    pinned = sum(part.cost for part in (*before, *reports))
    mine, theirs = parallel.share(others, 2, loads=[pinned, 0.0]) if forking else (list(others), [])
    try:
        forget = functools.partial(forget_unread, assessment)
        with parallel.Background(theirs, sink, prepare=forget) if theirs else contextlib.nullcontext() as child:
            for part in before:
                parallel.timed(part, sink)
            if options.consume:
                # The contract and the copies are written: of the facts and documents, only the
                # facts of the identities the report lists are read after this.
                listed = inventory_subjects(assessment.subjects, DEFAULT_LIMITS)
                forget_unread(assessment, keep_facts=frozenset(subject.id for subject in listed))
            # The parts that do not quote the digest come next: the copies' child shares the CPUs
            # with the scan, so their hashes may be late, and the reports, last, are the last to
            # read the records, which a consumed assessment lets go of before the PDF's layout.
            for part in mine:
                parallel.timed(part, sink)
            if started is not None:
                sink.written.update(started.take(assessment) or {})
            digest = content_digest({rel: written.sha256 for rel, written in sink.written.items()})
            extra.update({"manifest_sha256": digest, "content_sha256": digest})
            release = functools.partial(release_read, assessment) if options.consume else None
            for part in _format_parts(assessment, options, extra, quoting_digest=True, context_built=release):
                parallel.timed(part, sink)
            if release is not None:
                # Reports without a shared context (a PDF or an HTML report alone) read the records
                # to their end.
                release()
            if child is not None:
                # This process is done with its parts and waits: what they left free goes back to
                # the system while the child, the last to finish, still holds its own memory.
                release_memory()
                sink.written.update(child.join())
        if started is not None:
            started.finish()
    except PartError as exc:
        raise PackBuildError(str(exc)) from None
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


def build_pack(
    tmp: Path, out: Path, assessment: Assessment, options: PackOptions, copies: EvidenceCopies | None = None
) -> PackResult:
    """Write the pack into the staging folder tmp, then commit it to out (and the archive when asked).

    ``copies``: evidence copies started during the scan (``EvidenceCopies``), joined here.
    """
    # The collector would walk the whole assessment (millions of objects at 10,000 repositories)
    # each time the objects made by the renderers or the archive's members trigger a full pass:
    # measured at N = 10,000, 3.6 s for the pass that building the manifest set off. Frozen, the
    # assessment is left alone while the reports' own cycles are collected as they are dropped
    # (with the collector paused instead, they stayed until the end of the pack; same CPU time).
    with frozen_heap():
        manifest, raw = write_pack(tmp, assessment, options, copies)
        archive = None
        if options.archive:
            archive = write_pack_archive(tmp, out, int(assessment.created_at.timestamp()))
    commit(tmp, out, options.force)
    return PackResult(out, manifest, sha256_hex(raw), archive)
