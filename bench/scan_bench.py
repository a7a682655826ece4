"""Scan throughput and per-stage time on a generated organisation of N repositories.

Stages: collect (both cores), probe, map; then a full pack as ``nhi-evidence pack`` builds it (its
own scan, then the evidence copies and every report), each renderer alone on that assessment, and
the ``nhi-evidence pack`` command itself in its own process (start-up and exit included). Also a
reference point: zizmor ``--offline`` over the same workflow files, as a ratio of our workflow
collection time to zizmor's.

Usage: ``python -m bench.scan_bench N [--jobs J] [--no-render]``. Outputs are written under the
system's temporary folder, or under ``NHI_EVIDENCE_BENCH_OUT`` when set (folder creation costs
differ between file systems; see README section "Performance"), and removed only after the last
timed run (``bench.measure.output_folder``).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate
from bench.measure import MemorySampler, output_folder, peak_rss_mb, reference_loop_seconds, stage
from nhi_evidence.clock import fixed_clock, parse_instant
from nhi_evidence.frameworks.mapping import evaluate_controls
from nhi_evidence.pipeline import ScanRequest, collect, load_model, sources_given
from nhi_evidence.probes import ALL_PROBES, probe_definitions, run_probes
from nhi_evidence.probes.interface import ProbeContext
from nhi_evidence.sinks import DirectorySink

NOW = parse_instant("2026-11-25T12:00:00Z")


def organisation(n: int) -> Path:
    """The generated organisation for N repositories (cached between runs in the temp folder)."""
    root = Path(tempfile.gettempdir()) / "nhi-evidence-bench" / f"org-{n}"
    marker = root / ".complete"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, n, seed=n)
        marker.write_text("ok")
    return root


def count_files(root: Path) -> int:
    """Files in the generated organisation."""
    return sum(len(files) for _, _, files in os.walk(root))


def zizmor_ratio(root: Path, jobs: int) -> str:
    """Our workflow collection time over zizmor's on the same workflow files (both offline)."""
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(zizmor).exists():
        return "zizmor not installed (pip install zizmor): no reference point"
    from nhi_evidence.collectors import REPOSITORY_COLLECTORS

    workflow_collectors = [c for c in REPOSITORY_COLLECTORS if "workflow" in c.name]
    if not workflow_collectors:
        return "no workflow collector registered: no reference point"
    import nhi_evidence.pipeline as pipeline

    # Workers are forked from this process, so they see the narrowed collector list too.
    names = vars(pipeline)
    saved = names["REPOSITORY_COLLECTORS"]
    names["REPOSITORY_COLLECTORS"] = tuple(workflow_collectors)
    try:
        start = time.perf_counter()
        collect(ScanRequest(roots=(root,), jobs=jobs), NOW)
        ours = time.perf_counter() - start
    finally:
        names["REPOSITORY_COLLECTORS"] = saved
    files = [str(p) for p in root.glob("*/.github/workflows/*.yml")]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files"
        listing.write_text("\n".join(files))
        # zizmor takes inputs as arguments; pass them in batches to stay under the argument limit.
        for index in range(0, len(files), 2000):
            subprocess.run(
                [zizmor, "--offline", "--no-progress", "--format", "plain", *files[index : index + 2000]],
                capture_output=True,
                check=False,
            )
    theirs = time.perf_counter() - start
    return f"workflow collection {ours:.2f} s vs zizmor --offline {theirs:.2f} s over {len(files)} workflow files: ratio {ours / theirs:.2f}"


def render_and_pack(request: ScanRequest, timings: dict[str, float], outputs: Path) -> None:
    """Time a full pack as ``nhi-evidence pack`` builds it (scan included), then each renderer on its assessment.

    Everything is written under outputs, and nothing is removed here (see ``output_folder``).
    """
    from nhi_evidence.pack.build import EvidenceCopies, PackOptions, build_pack, staging
    from nhi_evidence.pipeline import assess
    from nhi_evidence.renderers import OutputFormat, RenderOptions

    # Each part's time and process, from the pack's own log.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    log = logging.getLogger("nhi_evidence.pack.parallel")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    # Gigabytes left dirty by earlier stages or runs are written back while the pack creates its
    # tens of thousands of files, which then wait on the file system: start from a clean state.
    os.sync()
    out = outputs / "pack"
    with stage(timings, "pack"), staging(out) as staging_dir, EvidenceCopies(staging_dir, request.jobs) as copies:
        with MemorySampler() as scan_memory, stage(timings, "pack scan"):
            assessment = assess(
                request,
                fixed_clock(NOW),
                metadata={"organization": "Bench", "period": "bench"},
                on_collected=copies.start,
            )
        with MemorySampler() as memory, stage(timings, "pack write"):
            options = PackOptions(organization="Bench", period="bench", jobs=request.jobs)
            result = build_pack(staging_dir, out, assessment, options, copies)
    size = sum(entry.size for entry in result.manifest.files)
    log.removeHandler(handler)
    print(
        f"  full pack {timings['pack']:.2f} s (scan {timings['pack scan']:.2f} s, write and render "
        f"{timings['pack write']:.2f} s): {len(result.manifest.files)} files, {size / 1e6:.1f} MB, written to {out}"
    )
    print(
        f"  full pack peak memory (sum of the proportional set sizes of its processes): scan {scan_memory.peak_mib:.0f}"
        f" MiB (collection workers included), write and render {memory.peak_mib:.0f} MiB"
    )
    for fmt in OutputFormat:
        renderer = fmt.renderer()
        name = f"render {fmt.value}"
        sink = DirectorySink(outputs / f"render-{fmt.value}")
        with stage(timings, name):
            if renderer.directory:
                renderer.write_files(assessment, RenderOptions(organization="Bench", period="bench"), sink)
            else:
                with sink.open(f"out.{renderer.extension}") as handle:
                    renderer.write(assessment, RenderOptions(organization="Bench", period="bench"), handle)
        size = sum(w.size for w in sink.written.values())
        print(f"  {name} alone {timings[name]:.2f} s ({size / 1e6:.1f} MB)")


def command_pack(root: Path, jobs: int, timings: dict[str, float], outputs: Path) -> None:
    """Time ``nhi-evidence pack`` as a user runs it, in its own process: start-up and exit included.

    Its peak memory is the sum of the proportional set sizes of its processes alone: the pack run
    inside this process above also carries what the earlier stages left in this process's heap.
    """
    command = [
        sys.executable, "-m", "nhi_evidence", "pack", str(root), "--period", "bench", "--org", "Bench",
        "--no-config", "--jobs", str(jobs), "--now", "2026-11-25T12:00:00Z",
    ]  # fmt: skip
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen([*command, "--out", str(outputs / "command-pack")], stdout=subprocess.DEVNULL)
    with MemorySampler(pid=process.pid) as memory:
        code = process.wait()
    timings["command pack"] = time.perf_counter() - start
    print(
        f"  nhi-evidence pack (the command, --jobs {jobs}): {timings['command pack']:.2f} s wall, exit {code}, "
        f"peak memory {memory.peak_mib:.0f} MiB (sum of the proportional set sizes of its processes)"
    )


def scan_stages(request: ScanRequest, files: int, timings: dict[str, float]) -> None:
    """Time collect, probe and map one after the other and print the figures."""
    frameworks, mapping = load_model(request)
    with stage(timings, "collect"):
        output, repositories = collect(request, NOW)
    with stage(timings, "probe"):
        subjects = sorted(output.subjects, key=lambda s: s.id)
        evidence = sorted(output.evidence, key=lambda e: e.id)
        ctx = ProbeContext(subjects, {e.id: e for e in evidence}, NOW, {}, sources_given(request))
        findings = run_probes(ALL_PROBES, ctx)
    with stage(timings, "map"):
        evaluate_controls(frameworks, mapping, findings, probe_definitions(), sources_given(request))
    scan_total = timings["collect"] + timings["probe"] + timings["map"]
    print(
        f"scan N={len(repositories)}: {files} files, {len(repositories)} repositories, {len(subjects)} subjects, "
        f"{len(evidence)} evidence, {len(findings)} findings, {len(output.errors)} errors"
    )
    print(
        f"  collect {timings['collect']:.2f} s, probe {timings['probe']:.2f} s, map {timings['map']:.2f} s: "
        f"total {scan_total:.2f} s ({files / scan_total:,.0f} files/s, {len(repositories) / scan_total:,.0f} repositories/s)"
    )
    print(f"  peak memory after the scan {peak_rss_mb():.0f} MiB (this process or one worker, the larger)")


def main() -> None:
    """Run the benchmark and print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repositories", type=int)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--no-render", action="store_true")
    args = parser.parse_args()
    root = organisation(args.repositories)
    files = count_files(root)
    timings: dict[str, float] = {}
    request = ScanRequest(roots=(root,), jobs=args.jobs)
    print(f"reference loop before: {reference_loop_seconds():.2f} CPU-s (lower is a faster machine right now)")
    scan_stages(request, files, timings)
    # The staged scan's records are gone by now (scan_stages returned), so the pack's memory
    # figure counts only what the pack holds.
    gc.collect()
    with output_folder() as outputs:
        if not args.no_render:
            render_and_pack(request, timings, outputs)
            command_pack(root, args.jobs, timings, outputs)
        print(f"  peak memory at the end {peak_rss_mb():.0f} MiB")
        print("  " + zizmor_ratio(root, args.jobs))
        print(f"reference loop after: {reference_loop_seconds():.2f} CPU-s")


if __name__ == "__main__":
    main()
