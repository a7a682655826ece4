"""Property-based fuzzing: parsers and collectors raise nothing but the project's own recorded errors.

``make test`` runs a short pass; ``make fuzz`` sets NHI_EVIDENCE_FUZZ_EXAMPLES for a long one.
Inputs are arbitrary bytes and structure-aware mutations of the real corpus files.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nhi_test_support import SHARED

from nhi_evidence.clock import fixed_clock
from nhi_evidence.files import FsRepoView
from nhi_evidence.parsing import PARSERS, ParseError
from nhi_evidence.pipeline import collect_view
from nhi_evidence.secretscan import redact_document

EXAMPLES = int(os.environ.get("NHI_EVIDENCE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def corpus_files() -> list[tuple[str, bytes]]:
    """(original path, content) of every corpus file."""
    rows = (SHARED / "corpus" / "PROVENANCE.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = []
    for row in rows:
        name, _repo, path = row.split("\t")[:3]
        out.append((path, (SHARED / "corpus" / name).read_bytes()))
    return out


CORPUS = corpus_files()


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@FUZZ
@given(raw=st.binary(max_size=2048))
def test_parsers_raise_only_parse_errors_on_arbitrary_bytes(fmt: str, raw: bytes) -> None:
    try:
        data = PARSERS[fmt](raw)
    except ParseError:
        return
    redact_document(data)


def mutate(content: bytes, rng: random.Random) -> bytes:
    """A structure-aware mutation: cut, duplicate, swap or corrupt syntax-bearing bytes."""
    data = bytearray(content)
    for _ in range(rng.randint(1, 4)):
        if not data:
            data.extend(b"{")
        operation = rng.randrange(6)
        position = rng.randrange(len(data))
        if operation == 0:
            del data[position : position + rng.randint(1, 40)]
        elif operation == 1:
            chunk = data[position : position + rng.randint(1, 80)]
            data[position:position] = chunk
        elif operation == 2:
            data[position] = rng.choice(b"{}[]:,\"'\n\t#&*!|>-=\\\x00\xff")
        elif operation == 3:
            data[position:position] = rng.choice(
                [b"&a [*a, *a]", b"${{ github.event.comment.body }}", b"\xef\xbb\xbf", b"\r\n", b"//", b"/*"]
            )
        elif operation == 4:
            data = data[: position or 1]
        else:
            data[position:position] = b'"ghp_CANARYaaaaBBBBccccDDDDeeeeFFFFgggg1234"'
    return bytes(data)


@FUZZ
@given(index=st.integers(min_value=0, max_value=len(CORPUS) - 1), seed=st.integers(min_value=0, max_value=2**32))
def test_collectors_record_errors_on_mutated_corpus_files(
    tmp_path_factory: pytest.TempPathFactory, index: int, seed: int
) -> None:
    path, content = CORPUS[index]
    root = tmp_path_factory.mktemp("fuzz")
    target = root / "repo" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(mutate(content, random.Random(seed)))
    out = collect_view(FsRepoView(root, "repo"), fixed_clock(NOW), {})
    crashed = [e.message for e in out.errors if "failed (" in e.message]
    assert not crashed, crashed
    for error in out.errors:
        assert "CANARY" not in error.message
