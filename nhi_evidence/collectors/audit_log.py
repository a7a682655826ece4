"""GitHub audit log exports, streamed: what assistant identities actually did.

Formats, detected from the content (not the file name):
- JSON lines (one event object per line: the streaming and API shape);
- a JSON array of event objects (the web UI "Export JSON");
- CSV with a header row (the web UI "Export CSV"; same keys, flattened).

NOTE: event fields (``@timestamp`` and ``created_at`` in epoch milliseconds, ``action``, ``actor``,
``actor_is_bot``, ``actor_is_agent``, ``programmatic_access_type``, ``token_id``, ``hashed_token``,
``user``, ``repo``, ``user_agent``...) as listed per event in
https://docs.github.com/en/enterprise-cloud@latest/admin/monitoring-activity-in-your-enterprise/reviewing-audit-logs-for-your-enterprise/audit-log-events-for-your-enterprise
and https://docs.github.com/en/enterprise-cloud@latest/organizations/keeping-your-organization-secure/managing-security-settings-for-your-organization/reviewing-the-audit-log-for-your-organization
(CSV exports carry timestamps as ISO 8601 text as well as epoch milliseconds; both are accepted).

The file is read in fixed-size chunks and each event is folded into a bounded summary (counts,
first and last seen, a few samples per signal), so memory stays flat however long the log is.
One subject of kind ``github-audit-log`` per file carries the summary for the activity probes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, BinaryIO, ClassVar

import pydantic_core
import yaml

from nhi_evidence.collectors.interface import CollectorOutput, SourceCollector, SourceContext, subject_id
from nhi_evidence.github.accounts import inventory_hints, known_accounts
from nhi_evidence.model import Capability, CollectionError, Evidence, Subject, Tier
from nhi_evidence.secretscan import redact_document

KIND = "github-audit-log"
CHUNK = 1 << 20
#: Samples kept per signal (the evidence is a summary, not a copy of the log).
SAMPLES = 5
#: Most distinct tokens tracked for reuse detection (beyond it, reuse detection is recorded as partial).
MAX_TOKENS = 100_000
#: Largest single event accepted (beyond it, the line or element is malformed or hostile).
MAX_EVENT = 16 << 20
#: Sentinels for "no timestamp yet" (plain integers keep the per-event comparisons cheap).
NO_FIRST = 1 << 62
NO_LAST = -(1 << 62)
#: Most distinct repositories remembered per actor.
MAX_REPOS = 20
DOCS_URL = "https://docs.github.com/en/enterprise-cloud@latest/organizations/keeping-your-organization-secure/managing-security-settings-for-your-organization/reviewing-the-audit-log-for-your-organization"


@dataclass(frozen=True)
class AuditRules:
    """Actions and user agents of interest (``audit_log_rules.yaml``)."""

    always: frozenset[str]
    when_assistant_named: frozenset[str]
    user_agents: tuple[tuple[str, str], ...]


@cache
def audit_rules() -> AuditRules:
    """Load the rules once."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("audit_log_rules.yaml").read_text(encoding="utf-8"))
    return AuditRules(
        frozenset(raw["always"]),
        frozenset(raw["when_assistant_named"]),
        tuple((str(k).lower(), str(v)) for k, v in raw["assistant_user_agents"].items()),
    )


class AuditLogFormatError(Exception):
    """The file is not an audit log in a known format."""


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def timestamp_ms(event: Mapping[str, Any]) -> int | None:
    """Event time in epoch milliseconds from ``@timestamp`` or ``created_at`` (number or ISO text)."""
    value = event.get("@timestamp")
    if value is None or value == "":
        value = event.get("created_at")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def iso_ms(value: int | None) -> str:
    """Epoch milliseconds as an ISO 8601 UTC instant ("" for None)."""
    if value is None:
        return ""
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class ActorStats:
    """Activity of one non-human actor."""

    family: str
    events: int = 0
    first: int = NO_FIRST
    last: int = NO_LAST
    actions: Counter[str] = field(default_factory=Counter)
    repos: set[str] = field(default_factory=set)
    access: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible summary."""
        return {
            "family": self.family,
            "events": self.events,
            "first_seen": iso_ms(self.first if self.first != NO_FIRST else None),
            "last_seen": iso_ms(self.last if self.last != NO_LAST else None),
            "top_actions": dict(sorted(self.actions.most_common(10))),
            "repositories": sorted(self.repos),
            "programmatic_access": dict(sorted(self.access.items())),
        }


@dataclass
class AuditSummary:
    """Bounded summary of a whole audit log."""

    events: int = 0
    malformed: int = 0
    first: int = NO_FIRST
    last: int = NO_LAST
    human_actors: int = 0
    actors: dict[str, ActorStats] = field(default_factory=dict)
    interactive_nhi: list[dict[str, Any]] = field(default_factory=list)
    interactive_nhi_count: int = 0
    assistant_on_human_token: list[dict[str, Any]] = field(default_factory=list)
    assistant_on_human_token_count: int = 0
    shared_tokens: dict[str, list[str]] = field(default_factory=dict)
    widening: list[dict[str, Any]] = field(default_factory=list)
    widening_count: int = 0
    token_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens_capped: bool = False


def _sample(event: Mapping[str, Any], ts: int | None) -> dict[str, Any]:
    keep = (
        "action",
        "actor",
        "user",
        "repo",
        "programmatic_access_type",
        "token_id",
        "user_agent",
        "integration",
        "name",
    )
    sample = {k: event[k] for k in keep if event.get(k) not in (None, "")}
    sample["at"] = iso_ms(ts)
    return sample


class EventFolder:
    """Folds events one by one into an ``AuditSummary``; the only per-event code path."""

    def __init__(self, extra_accounts: Mapping[str, str], inventory_tokens: Mapping[str, str]) -> None:
        accounts = known_accounts()
        self.logins = {**accounts.bot_logins, **{k: f"inventory:{v}" for k, v in extra_accounts.items()}}
        self.apps = dict(accounts.app_slugs)
        self.automation = accounts.automation_logins
        self.inventory_tokens = dict(inventory_tokens)
        self.rules = audit_rules()
        self.summary = AuditSummary()
        self._humans: set[str] = set()
        self._token_actor: dict[Any, str] = {}
        self._family_cache: dict[str, str] = {}
        self.widening_always = self.rules.always
        self.widening_named = self.rules.when_assistant_named
        self._assistant_agent = re.compile("|".join(re.escape(f) for f, _ in self.rules.user_agents)).search

    def static_family(self, actor: str) -> str:
        """Family known from the login alone ("" when the event's flags must decide)."""
        key = actor.lower()
        found = self.logins.get(key)
        if found:
            return found
        if key.endswith("[bot]"):
            return self.apps.get(key[:-5]) or "bot"
        if key in self.automation:
            return "bot"
        return ""

    def family(self, actor: str, event: Mapping[str, Any]) -> str:
        """Assistant family (or inventory identity) of an actor, "bot" for other bots, "" for a human."""
        found = self._family_cache.get(actor)
        if found is None:
            found = self.static_family(actor)
            if len(self._family_cache) < MAX_TOKENS:
                self._family_cache[actor] = found
        if found:
            return found
        agent = event.get("actor_is_agent")
        if agent is True or (agent.__class__ is str and _truthy(agent)):
            return "agent"
        bot = event.get("actor_is_bot")
        if bot is True or (bot.__class__ is str and _truthy(bot)):
            return "bot"
        return ""

    def fold(self, event: Mapping[str, Any]) -> None:
        """Add one event to the summary.

        The hot path of a million-event log: local names, dictionary look-ups and integer sentinels
        instead of attribute chains and None checks.
        """
        s = self.summary
        s.events += 1
        get = event.get
        ts = get("@timestamp")
        if ts is None or ts == "":
            ts = get("created_at")
        if ts.__class__ is not int:
            ts = timestamp_ms(event)
        if ts is not None:
            if ts < s.first:
                s.first = ts
            if ts > s.last:
                s.last = ts
        actor = get("actor") or ""
        if actor.__class__ is not str:
            actor = str(actor)
        action = get("action") or ""
        family = self._family_cache.get(actor)
        if not family:
            family = self.family(actor, event) if actor else ""
        access = get("programmatic_access_type") or ""
        token = get("hashed_token") or get("token_id") or ""
        if family:
            stats = s.actors.get(actor)
            if stats is None:
                stats = s.actors[actor] = ActorStats(family)
            stats.events += 1
            if ts is not None:
                if ts < stats.first:
                    stats.first = ts
                if ts > stats.last:
                    stats.last = ts
            stats.actions[action] += 1
            repos = stats.repos
            if len(repos) < MAX_REPOS:
                repo = get("repo")
                if repo:
                    repos.add(str(repo))
            if access:
                stats.access[access] += 1
            # A non-[bot] account of an assistant acting without any token: someone signed in as it.
            elif family != "bot" and not token and not actor.lower().endswith("[bot]"):
                s.interactive_nhi_count += 1
                if len(s.interactive_nhi) < SAMPLES:
                    s.interactive_nhi.append(_sample(event, ts))
        elif actor:
            self._humans.add(actor)
            if access:
                agent = get("user_agent")
                if agent and self._assistant_agent(str(agent).lower()):
                    s.assistant_on_human_token_count += 1
                    if len(s.assistant_on_human_token) < SAMPLES:
                        s.assistant_on_human_token.append(_sample(event, ts))
        if token:
            if self.inventory_tokens:
                self._inventory_token(event, actor, ts)
            first_actor = self._token_actor.get(token)
            if first_actor is None:
                if len(self._token_actor) < MAX_TOKENS:
                    self._token_actor[token] = actor
                else:
                    s.tokens_capped = True
            elif first_actor != actor and (family or self.family(first_actor, {})):
                key = str(token)
                holders = s.shared_tokens.setdefault(key, [first_actor])
                if actor not in holders and len(holders) < SAMPLES:
                    holders.append(actor)
        if action in self.widening_always or (action in self.widening_named and self._names_assistant(event, family)):
            s.widening_count += 1
            if len(s.widening) < SAMPLES * 2:
                s.widening.append(_sample(event, ts))

    def _inventory_token(self, event: Mapping[str, Any], actor: str, ts: int | None) -> None:
        token_id = str(event.get("token_id") or "")
        inventory = self.inventory_tokens.get(token_id)
        if not inventory:
            return
        record = self.summary.token_events.setdefault(
            f"{inventory}/{token_id}", {"events": 0, "actors": set(), "last": None}
        )
        record["events"] += 1
        record["actors"].add(actor)
        if ts is not None and (record["last"] is None or ts > record["last"]):
            record["last"] = ts

    def _names_assistant(self, event: Mapping[str, Any], family: str) -> bool:
        if family and family != "bot":
            return True
        for key in ("integration", "name", "user", "app", "target_login"):
            value = event.get(key)
            if isinstance(value, str) and value:
                lowered = value.lower()
                if lowered in self.logins or lowered in self.apps or self.static_family(value) not in ("", "bot"):
                    return True
        return False

    def finish(self) -> AuditSummary:
        """The summary, with the human actor count settled."""
        self.summary.human_actors = len(self._humans)
        return self.summary


class _HashingReader(io.RawIOBase):
    """A binary reader that hashes what passes through it (the evidence's sha256)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self.size += n
        return n


def detect_format(head: bytes) -> str:
    """``jsonl``, ``json-array`` or ``csv`` from the first bytes of the file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise AuditLogFormatError("the file is empty")
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        return "jsonl"
    first_line = text.split(b"\n", 1)[0].lower()
    if b"action" in first_line and (b"," in first_line or b";" in first_line):
        return "csv"
    raise AuditLogFormatError("it is neither JSON lines, a JSON array nor CSV with an 'action' column")


def iter_jsonl(reader: BinaryIO, on_bad: Any) -> Iterator[Any]:
    """Events of a JSON lines stream; malformed lines are counted through ``on_bad(line_number)``."""
    # Whole chunks are decoded to text once; each line is then parsed by pydantic-core's JSON parser
    # (already installed with pydantic), about three times faster than the standard library's per line.
    parse = pydantic_core.from_json
    utf8 = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    rest = ""
    number = 0
    eof = False
    while not eof:
        chunk = reader.read(CHUNK)
        eof = not chunk
        text = rest + utf8.decode(chunk, final=eof)
        lines = text.split("\n")
        rest = "" if eof else lines.pop()
        if len(rest) > MAX_EVENT:
            # One line larger than any event: drop what was read of it (memory stays bounded) and count
            # it once as malformed; the tail up to its newline is then dropped as a malformed line too.
            number += 1
            on_bad(number)
            rest = ""
        for line in lines:
            number += 1
            if not line or line.isspace():
                continue
            try:
                value = parse(line)
            except ValueError:
                on_bad(number)
                continue
            yield value


def iter_json_array(reader: BinaryIO, on_bad: Any) -> Iterator[Any]:
    """Elements of a top-level JSON array, decoded incrementally (never the whole document at once)."""
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    buffer = ""
    pos = 0
    started = False
    eof = False
    while True:
        if not eof and len(buffer) - pos < CHUNK:
            chunk = reader.read(CHUNK)
            eof = not chunk
            buffer = buffer[pos:] + utf8.decode(chunk, final=eof)
            pos = 0
        while pos < len(buffer) and buffer[pos] in " \t\r\n,":
            pos += 1
        if not started:
            if pos >= len(buffer):
                if eof:
                    raise AuditLogFormatError("the JSON array is not closed")
                continue
            if buffer[pos] != "[":
                raise AuditLogFormatError("the JSON array does not start with '['")
            started = True
            pos += 1
            continue
        if pos >= len(buffer):
            if eof:
                raise AuditLogFormatError("the JSON array is not closed")
            continue
        if buffer[pos] == "]":
            return
        try:
            value, end = decoder.raw_decode(buffer, pos)
        except json.JSONDecodeError:
            if len(buffer) - pos > MAX_EVENT:
                raise AuditLogFormatError(
                    f"an array element is malformed or larger than {MAX_EVENT // (1 << 20)} MiB"
                ) from None
            if not eof:
                # The element may straddle the chunk boundary: read more before judging.
                chunk = reader.read(CHUNK)
                eof = not chunk
                buffer = buffer[pos:] + utf8.decode(chunk, final=eof)
                pos = 0
                continue
            raise AuditLogFormatError("the JSON array holds malformed JSON") from None
        pos = end
        yield value


def iter_csv(reader: BinaryIO, on_bad: Any) -> Iterator[Any]:
    """Rows of a CSV export as dictionaries keyed by the header row."""
    text = io.TextIOWrapper(reader, encoding="utf-8-sig", errors="replace", newline="")
    rows = csv.DictReader(text)
    if not rows.fieldnames or "action" not in [f.strip() for f in rows.fieldnames]:
        raise AuditLogFormatError("the CSV header has no 'action' column")
    yield from rows


READERS = {"jsonl": iter_jsonl, "json-array": iter_json_array, "csv": iter_csv}


def summarise(
    handle: BinaryIO, extra_accounts: Mapping[str, str] | None = None, inventory_tokens: Mapping[str, str] | None = None
) -> tuple[str, AuditSummary, list[int], str, int]:
    """Stream one audit log: (format, summary, first malformed line numbers, sha256, size)."""
    reader = io.BufferedReader(_HashingReader(handle), CHUNK)
    fmt = detect_format(reader.peek(4096)[:4096])
    folder = EventFolder(extra_accounts or {}, inventory_tokens or {})
    bad: list[int] = []

    def on_bad(line: int) -> None:
        folder.summary.malformed += 1
        if len(bad) < SAMPLES:
            bad.append(line)

    fold = folder.fold
    try:
        for event in READERS[fmt](reader, on_bad):
            if isinstance(event, dict):
                fold(event)
            else:
                on_bad(0)
    except csv.Error as exc:
        raise AuditLogFormatError(f"malformed CSV after {folder.summary.events} event(s) ({exc})") from None
    raw = reader.raw
    assert isinstance(raw, _HashingReader)
    # Drain what the reader did not consume (trailing bytes) so the digest covers the file.
    while raw.readinto(bytearray(CHUNK)):
        pass
    return fmt, folder.finish(), bad, raw.digest.hexdigest(), raw.size


def summary_facts(summary: AuditSummary) -> dict[str, Any]:
    """The JSON-compatible facts published for probes."""
    return {
        "events": summary.events,
        "malformed": summary.malformed,
        "first_seen": iso_ms(summary.first if summary.first != NO_FIRST else None),
        "last_seen": iso_ms(summary.last if summary.last != NO_LAST else None),
        "human_actors": summary.human_actors,
        "nhi_actors": {actor: stats.as_dict() for actor, stats in sorted(summary.actors.items())},
        "interactive_nhi": {"count": summary.interactive_nhi_count, "samples": summary.interactive_nhi},
        "assistant_on_human_token": {
            "count": summary.assistant_on_human_token_count,
            "samples": summary.assistant_on_human_token,
        },
        "shared_tokens": {
            "count": len(summary.shared_tokens),
            "actors": sorted(sorted(v) for v in summary.shared_tokens.values())[:SAMPLES],
        },
        "tokens_capped": summary.tokens_capped,
        "widening": {"count": summary.widening_count, "samples": summary.widening},
        "inventory_tokens": {
            key: {"events": v["events"], "actors": sorted(v["actors"]), "last_seen": iso_ms(v["last"])}
            for key, v in sorted(summary.token_events.items())
        },
    }


class AuditLogCollector(SourceCollector):
    """Streams GitHub audit log exports given with ``--audit-log``."""

    name: ClassVar[str] = "audit-log"
    description: ClassVar[str] = "GitHub audit log exports (JSON lines, JSON array, CSV), streamed (--audit-log)."
    docs_url: ClassVar[str] = DOCS_URL
    option: ClassVar[str] = "audit_logs"

    def collect(self, ctx: SourceContext) -> CollectorOutput:
        """One evidence record and one subject per log file."""
        out = CollectorOutput()
        paths = ctx.options.get(self.option) or ()
        if isinstance(paths, str):
            paths = [paths]
        inventory = ctx.options.get("inventory")
        accounts, tokens = inventory_hints(str(inventory)) if inventory else ({}, {})
        for path in paths:
            self._one(str(path), ctx, accounts, tokens, out)
        return out

    def _one(
        self,
        path: str,
        ctx: SourceContext,
        accounts: Mapping[str, str],
        tokens: Mapping[str, str],
        out: CollectorOutput,
    ) -> None:
        if os.path.exists(path) and not os.path.isdir(path) and not os.path.isfile(path):
            # A FIFO or device would block or never end; only regular files are read.
            out.errors.append(CollectionError(path, f"{path}: not a regular file (FIFO, socket or device).", self.name))
            return
        try:
            with open(path, "rb") as handle:
                fmt, summary, bad, digest, size = summarise(handle, accounts, tokens)
        except FileNotFoundError:
            out.errors.append(CollectionError(path, f"{path}: no such file.", self.name))
            return
        except IsADirectoryError:
            out.errors.append(CollectionError(path, f"{path}: a folder, not an audit log file.", self.name))
            return
        except OSError as exc:
            out.errors.append(
                CollectionError(path, f"{path}: could not be read ({exc.strerror or 'I/O error'}).", self.name)
            )
            return
        except AuditLogFormatError as exc:
            out.errors.append(CollectionError(path, f"{path}: not a GitHub audit log export: {exc}.", self.name))
            return
        if summary.malformed:
            lines = ", ".join(str(n) for n in bad if n)
            out.errors.append(
                CollectionError(
                    path,
                    f"{path}: {summary.malformed} malformed event(s) skipped"
                    + (f" (first at line {lines})." if lines else "."),
                    self.name,
                    bad[0] if bad and bad[0] else None,
                )
            )
        facts, _hits = redact_document({"format": fmt, **summary_facts(summary)})
        evidence = Evidence(
            id=f"ev-{subject_id(KIND, '', path).split(':', 1)[1]}",
            collector=self.name,
            source=f"auditlog://{path}",
            media_type="application/x-ndjson"
            if fmt == "jsonl"
            else ("text/csv" if fmt == "csv" else "application/json"),
            sha256=digest,
            size=size,
            collected_at=ctx.clock(),
            data=facts,
        )
        out.evidence.append(evidence)
        nhi = facts["nhi_actors"]
        out.subjects.append(
            Subject(
                id=subject_id(KIND, "", path),
                kind=KIND,
                name=f"audit log {path}",
                path=path,
                repository="",
                capability=Capability(Tier.ADVISORY, (f"An audit log of {summary.events} event(s).",)),
                facts={**facts, "accounts_seen": sorted(a.lower() for a in nhi)},
                evidence_ids=(evidence.id,),
            )
        )
