"""Audit log streaming benchmark: events per second and peak memory on a generated GitHub audit log.

``python -m bench.auditlog_bench [EVENTS] [FORMAT]`` (defaults: 1,000,000 events, jsonl; FORMAT may be
jsonl, json-array or csv). The log is written to a temporary folder first (not timed), then summarised
by the audit log collector's streaming reader. Target: at least 100,000 events/s on one core and a
peak resident memory under 300 MB.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.measure import peak_rss_mb
from nhi_evidence.collectors.audit_log import summarise

ACTIONS = (
    "git.push",
    "pull_request.create",
    "pull_request.merge",
    "repo.access",
    "workflows.completed_workflow_run",
    "issue_comment.update",
    "protected_branch.policy_override",
    "integration_installation.repositories_added",
)
ACTORS = ("alice", "bob", "carol", "claude[bot]", "copilot-swe-agent[bot]", "github-actions[bot]", "acme-ci-bot")
FIELDS = (
    "@timestamp",
    "_document_id",
    "action",
    "actor",
    "actor_id",
    "actor_is_bot",
    "org",
    "repo",
    "created_at",
    "programmatic_access_type",
    "token_id",
    "hashed_token",
    "user_agent",
    "operation_type",
)


def events(count: int, seed: int = 4) -> Iterator[dict[str, Any]]:
    """Deterministic synthetic events shaped like GitHub's audit log JSON."""
    rng = random.Random(seed)
    start = 1_761_955_200_000
    for index in range(count):
        index_actor = rng.randrange(len(ACTORS))
        actor = ACTORS[index_actor]
        bot = actor.endswith("[bot]")
        # A token belongs to one actor, as in a real log (each actor holds a few hundred over the period).
        token = index_actor * 300 + rng.randrange(300)
        yield {
            "@timestamp": start + index * 1000,
            "_document_id": f"doc{index:09d}",
            "action": ACTIONS[rng.randrange(len(ACTIONS))],
            "actor": actor,
            "actor_id": 1000 + index_actor,
            "actor_is_bot": bot,
            "org": "acme",
            "repo": f"acme/repo-{rng.randrange(50)}",
            "created_at": start + index * 1000,
            "programmatic_access_type": "GitHub App server-to-server token"
            if bot
            else ("OAuth access token" if token % 3 else ""),
            "token_id": token,
            "hashed_token": f"h{token:06d}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=",
            "user_agent": "git/2.47.0" if token % 5 else "claude-cli/2.0.1",
            "operation_type": "access",
        }


def write(path: Path, count: int, fmt: str) -> None:
    """Write the synthetic log in one of the export formats, streaming."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            writer = csv.DictWriter(handle, FIELDS)
            writer.writeheader()
            for event in events(count):
                writer.writerow(event)
        elif fmt == "json-array":
            handle.write("[\n")
            for index, event in enumerate(events(count)):
                handle.write(("," if index else "") + json.dumps(event) + "\n")
            handle.write("]\n")
        else:
            for event in events(count):
                handle.write(json.dumps(event) + "\n")


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    count = int(argv[0]) if argv else 1_000_000
    fmt = argv[1] if len(argv) > 1 else "jsonl"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"audit.{fmt}"
        write(path, count, fmt)
        size_mb = os.path.getsize(path) / 1e6
        before = peak_rss_mb()
        start, cpu_start = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            detected, summary, _bad, _digest, _size = summarise(handle)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # Events per CPU second is the one-core figure; wall time also counts waiting on a busy machine.
    print(
        f"audit log: {summary.events} events ({detected}, {size_mb:.0f} MB) in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"= {summary.events / cpu:,.0f} events/CPU-s ({summary.events / elapsed:,.0f} events/s wall); "
        f"peak RSS {peak_rss_mb():.0f} MB (before reading {before:.0f} MB)"
    )
    return 0 if summary.events == count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
