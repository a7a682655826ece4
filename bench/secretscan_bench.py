"""Secret detection benchmark: redaction throughput on the reference corpus and on generated values.

``python -m bench.secretscan_bench [ROUNDS]`` (default 20). Parses every file of ``../shared/corpus``
once (not timed), then times ``redact_document`` over all of them ROUNDS times, and over 100,000
generated MCP-style values (references, plain arguments, keys with and without provider prefixes).
Prints KiB/s and values/s; nothing is asserted.
"""

from __future__ import annotations

import csv
import os
import random
import string
import sys
import time
from pathlib import Path
from typing import Any

from nhi_evidence.parsing import PARSERS
from nhi_evidence.secretscan import redact_document

SHARED = Path(os.environ.get("NHI_EVIDENCE_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _format(path: str) -> str:
    if path.endswith(".toml"):
        return "toml"
    if path.endswith((".yml", ".yaml")):
        return "yaml"
    return "jsonc" if path.endswith(".json") else "text"


def corpus_documents() -> tuple[list[Any], int]:
    """Parsed corpus documents and their total size in bytes."""
    corpus = SHARED / "corpus"
    with (corpus / "PROVENANCE.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    documents, size = [], 0
    for row in rows:
        raw = (corpus / row["file"]).read_bytes()
        size += len(raw)
        documents.append(PARSERS[_format(row["path"])](raw))
    return documents, size


def generated_values(count: int, seed: int = 7) -> dict[str, Any]:
    """An MCP-like document of count values: references, arguments, random keys, prefixed keys."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    env: dict[str, str] = {}
    args: list[str] = []
    for index in range(count):
        kind = index % 5
        token = "".join(rng.choice(alphabet) for _ in range(32))
        if kind == 0:
            env[f"VAR_{index}_API_KEY"] = "${VAR_" + str(index) + "}"
        elif kind == 1:
            args.append(f"--option-{index}")
        elif kind == 2:
            env[f"SERVICE_{index}_TOKEN"] = token
        elif kind == 3:
            args.append("ghp_" + token[:30] + "ab")
        else:
            args.append(f"@scope/package-{index}@1.2.{index % 10}")
    return {"mcpServers": {"s": {"command": "npx", "args": args, "env": env}}}


def main(argv: list[str]) -> int:
    """Run the benchmark and print figures."""
    rounds = int(argv[0]) if argv else 20
    documents, size = corpus_documents()
    start = time.perf_counter()
    hits = 0
    for _ in range(rounds):
        for document in documents:
            hits += len(redact_document(document)[1])
    elapsed = (time.perf_counter() - start) / rounds
    print(
        f"corpus: {len(documents)} files, {size / 1024:.0f} KiB, {elapsed * 1000:.1f} ms per pass, "
        f"{size / 1024 / elapsed:.0f} KiB/s, {hits // rounds} hit(s)"
    )
    document = generated_values(100_000)
    start = time.perf_counter()
    _, found = redact_document(document)
    elapsed = time.perf_counter() - start
    print(f"generated: 100000 values in {elapsed:.2f} s ({100_000 / elapsed:.0f} values/s), {len(found)} hit(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
