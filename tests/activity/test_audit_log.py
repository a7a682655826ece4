"""GitHub audit log exports: format detection, streaming, summaries and the activity probes."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from nhi_test_support import CANARIES, canary_leaks

from nhi_evidence.collectors import audit_log
from nhi_evidence.collectors.audit_log import AuditLogFormatError, detect_format, summarise

LOGS = Path(__file__).parent / "logs"
INVENTORY = Path(__file__).parents[1] / "identity" / "inventories"


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def as_array(items: list[dict[str, Any]]) -> bytes:
    return json.dumps(items, indent=2).encode()


def as_csv(items: list[dict[str, Any]]) -> bytes:
    fields = sorted({k for item in items for k in item})
    out = io.StringIO()
    writer = csv.DictWriter(out, fields)
    writer.writeheader()
    for item in items:
        writer.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in item.items()})
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"action": "git.push"}\n', "jsonl"),
        (b'\xef\xbb\xbf  [\n {"action": 1}]', "json-array"),
        (b"@timestamp,action,actor\n1,git.push,a\n", "csv"),
    ],
)
def test_format_is_detected_from_content(head: bytes, expected: str) -> None:
    assert detect_format(head) == expected


@pytest.mark.parametrize("head", [b"", b"   \n", b"hello world\n", b"name,value\n"])
def test_unknown_content_is_refused(head: bytes) -> None:
    with pytest.raises(AuditLogFormatError):
        detect_format(head)


def test_the_three_formats_give_the_same_summary() -> None:
    items = events(LOGS / "bad.jsonl")
    summaries = []
    for raw in ((LOGS / "bad.jsonl").read_bytes(), as_array(items), as_csv(items)):
        _fmt, summary, bad, _digest, size = summarise(io.BytesIO(raw))
        assert size == len(raw)
        assert bad == []
        summaries.append((summary.events, summary.first, summary.last, sorted(summary.actors), summary.widening_count))
    assert summaries[0] == summaries[1] == summaries[2]
    assert summaries[0][0] == 5


def test_array_elements_straddling_chunks_are_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_log, "CHUNK", 7)
    items = [{"action": f"a{n}", "actor": "claude[bot]", "@timestamp": n} for n in range(50)]
    _fmt, summary, _bad, _d, _s = summarise(io.BytesIO(as_array(items)))
    assert summary.events == 50
    assert summary.actors["claude[bot]"].events == 50


def test_jsonl_lines_straddling_chunks_and_malformed_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_log, "CHUNK", 5)
    raw = b'{"action": "x", "actor": "a"}\r\nnot json\n\n{"action": "y", "actor": "b"} trailing\n{"action": "z"}'
    _fmt, summary, bad, _d, _s = summarise(io.BytesIO(raw))
    assert summary.events == 2
    assert summary.malformed == 2
    assert bad == [2, 4]


def test_unclosed_array_is_an_error() -> None:
    with pytest.raises(AuditLogFormatError):
        summarise(io.BytesIO(b'[{"action": "x"}, {"action": '))


def scan(run_cli: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = run_cli("scan", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert not canary_leaks(result.output)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def outcomes(data: dict[str, Any]) -> dict[str, str]:
    return {f["probe"]: f["outcome"] for f in data["findings"] if f["probe"] in PROBES}


PROBES = (
    "assistantActivityLogged",
    "assistantCredentialsNotUsedByHumans",
    "retiredIdentitiesInactive",
    "assistantPermissionsNotWidened",
)


def test_activity_probes_both_ways(run_cli: Callable[..., Result]) -> None:
    good = scan(run_cli, "--audit-log", str(LOGS / "good.jsonl"), "--inventory", str(INVENTORY / "good.yaml"))
    bad = scan(run_cli, "--audit-log", str(LOGS / "bad.jsonl"), "--inventory", str(INVENTORY / "bad.yaml"))
    assert outcomes(good) == dict.fromkeys(PROBES, "true")
    assert outcomes(bad) == {
        "assistantActivityLogged": "true",
        "assistantCredentialsNotUsedByHumans": "false",
        "retiredIdentitiesInactive": "false",
        "assistantPermissionsNotWidened": "false",
    }
    message = next(f["message"] for f in bad["findings"] if f["probe"] == "assistantCredentialsNotUsedByHumans")
    assert "interactive" in message
    assert "human's token" in message


def test_no_assistant_in_log_while_assistants_are_known(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    log = tmp_path / "humans.jsonl"
    log.write_text('{"@timestamp": 1, "action": "repo.create", "actor": "alice"}\n')
    data = scan(run_cli, "--audit-log", str(log), "--inventory", str(INVENTORY / "good.yaml"))
    assert outcomes(data)["assistantActivityLogged"] == "false"
    assert outcomes(data)["retiredIdentitiesInactive"] == "true"


def test_without_inventory_retired_activity_is_not_available(run_cli: Callable[..., Result]) -> None:
    data = scan(run_cli, "--audit-log", str(LOGS / "bad.jsonl"))
    assert outcomes(data)["retiredIdentitiesInactive"] == "not-available"


def test_bad_files_are_collection_errors_naming_them(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    data = scan(
        run_cli, "--audit-log", str(text), "--audit-log", str(tmp_path / "absent.jsonl"), "--audit-log", str(tmp_path)
    )
    messages = sorted(e["message"] for e in data["errors"])
    assert any("notes.txt: not a GitHub audit log export" in m for m in messages)
    assert any("absent.jsonl: no such file" in m for m in messages)
    assert any("a folder" in m for m in messages)


def test_secrets_in_the_log_never_reach_the_output(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    log = tmp_path / "leaky.jsonl"
    lines = [
        {
            "@timestamp": 1,
            "action": "git.push",
            "actor": "acme-codex",
            "user_agent": f"curl {CANARIES['github-token']}",
        },
        {
            "@timestamp": 2,
            "action": "org.set_default_workflow_permissions",
            "actor": "bob",
            "name": CANARIES["openai-api-key"],
        },
    ]
    log.write_text("\n".join(json.dumps(line) for line in lines))
    for fmt in ("json", "text"):
        result = run_cli("scan", "--audit-log", str(log), "--inventory", str(INVENTORY / "bad.yaml"), "--format", fmt)
        assert result.exit_code == 0
        assert not canary_leaks(result.output)


def test_a_fifo_is_refused_without_blocking(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    fifo = tmp_path / "audit.jsonl"
    os.mkfifo(fifo)
    data = scan(run_cli, "--audit-log", str(fifo))
    assert any("not a regular file" in e["message"] for e in data["errors"])


def test_oversized_lines_and_csv_fields_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_log, "CHUNK", 64)
    monkeypatch.setattr(audit_log, "MAX_EVENT", 256)
    raw = b'{"action": "a", "actor": "x"}\n{"action": "' + b"b" * 5000 + b'"}\n{"action": "c", "actor": "y"}\n'
    _fmt, summary, _bad, _d, _s = summarise(io.BytesIO(raw))
    assert summary.events == 2
    assert summary.malformed >= 1
    with pytest.raises(AuditLogFormatError):
        summarise(io.BytesIO(b'[{"action": "' + b"b" * 5000))
    with pytest.raises(AuditLogFormatError, match="malformed CSV"):
        summarise(io.BytesIO(b"action,actor\nx," + b'"' + b"y" * 200_000 + b'"\n'))
