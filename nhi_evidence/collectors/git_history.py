"""Git history of each scanned repository: what assistant identities committed, and how it landed.

Reads ``.git`` through the ``git`` command with fixed argument lists (no shell), never writing to the
repository: ``git log`` of the default branch, streamed record by record and bounded by
``git_history_limit`` commits (default 5000, recorded in the evidence), and ``git rev-list
--first-parent`` for the branch's own chain.

A commit is an assistant's when its author (name or e-mail login) is a known assistant account
(``nhi_evidence/github/accounts.yaml``) or an inventory account, or when a ``Co-authored-by:`` trailer names a
known assistant. A commit on the first-parent chain of the default branch that is not a merge and was
not committed by GitHub's pull request merge (committer ``noreply@github.com`` with ``(#N)`` in the
subject, the squash and rebase merge shape) is a direct push.

NOTE: trailer syntax per https://git-scm.com/docs/git-interpret-trailers; GitHub's co-author
convention per https://docs.github.com/en/pull-requests/committing-changes-to-your-project/creating-and-editing-commits/creating-a-commit-with-multiple-authors
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from nhi_evidence.collectors.interface import CollectorOutput, RepoContext, RepositoryCollector, evidence_id, subject_id
from nhi_evidence.files import FsRepoView
from nhi_evidence.github.accounts import COAUTHOR, inventory_hints, known_accounts
from nhi_evidence.model import Capability, Evidence, Skip, Subject, Tier
from nhi_evidence.secretscan import redact_string

KIND = "git-history"
DEFAULT_LIMIT = 5000
SAMPLES = 10
TIMEOUT = 120
#: Pull request number in a merge commit subject ("Merge pull request #12 from ...") or a squash subject ("... (#12)").
PR_NUMBER = re.compile(r"^Merge pull request #(\d+)\b|\(#(\d+)\)\s*$")
#: Login part of a GitHub noreply address ("12345+claude[bot]@users.noreply.github.com").
NOREPLY = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$", re.IGNORECASE)
FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1e"


class GitUnavailable(Exception):
    """git could not read the repository (reason in the message)."""


def _git(base: str, *args: str) -> list[str]:
    # Options that keep a hostile repository configuration from running programs or paging.
    return [
        "git",
        "--no-pager",
        "--no-replace-objects",
        "-c",
        "core.fsmonitor=false",
        "-c",
        "log.showSignature=false",
        "-c",
        "core.hooksPath=/dev/null",
        "-C",
        base,
        *args,
    ]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    return env


def run_git(base: str, *args: str) -> str:
    """Output of a short git command, or GitUnavailable with git's first error line."""
    try:
        done = subprocess.run(_git(base, *args), capture_output=True, env=_env(), timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise GitUnavailable("the git command is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git did not answer within {TIMEOUT} s") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(first[0][:200] if first else f"git exited with code {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def default_branch(base: str) -> str:
    """The default branch: origin's HEAD when known, else the checked-out branch, else main/master."""
    for args in (
        ("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"),
        ("symbolic-ref", "--quiet", "--short", "HEAD"),
    ):
        try:
            name = run_git(base, *args).strip()
        except GitUnavailable:
            continue
        if name:
            return name.removeprefix("origin/")
    for name in ("main", "master"):
        try:
            run_git(base, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}")
            return name
        except GitUnavailable:
            continue
    raise GitUnavailable("no default branch found (no origin/HEAD, no checked-out branch, no main or master)")


def stream_log(base: str, ref: str, limit: int) -> Iterator[list[str]]:
    """Commit records of ``git log`` streamed from the pipe: [hash, parents, an, ae, cn, ce, date, body]."""
    command = _git(base, "log", f"--max-count={limit}", f"--format={FORMAT}", ref, "--")
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env())
    except FileNotFoundError:
        raise GitUnavailable("the git command is not installed") from None
    assert process.stdout is not None
    rest = ""
    try:
        while True:
            chunk = process.stdout.read(1 << 16)
            if not chunk:
                break
            rest += chunk.decode("utf-8", "replace")
            *records, rest = rest.split("\x1e")
            for record in records:
                fields = record.lstrip("\n").split("\x1f")
                if len(fields) == 8:
                    yield fields
    finally:
        process.stdout.close()
        process.wait(timeout=TIMEOUT)


def login_of(name: str, email: str) -> list[str]:
    """Candidate account names of a commit identity: the author name and a noreply e-mail's login."""
    found = [name.strip().lower()]
    match = NOREPLY.match(email.strip())
    if match:
        found.append(match.group(1).lower())
    return found


class GitHistoryCollector(RepositoryCollector):
    """Assistant commits and direct pushes in each repository's default branch."""

    name: ClassVar[str] = "git-history"
    description: ClassVar[str] = (
        "Git history: commits authored or co-authored by assistants, direct pushes to the default branch."
    )
    docs_url: ClassVar[str] = "https://git-scm.com/docs/git-log"

    def collect(self, ctx: RepoContext) -> CollectorOutput:
        """One subject per repository with a readable ``.git``."""
        out = CollectorOutput()
        view = ctx.view
        if ctx.options.get("no_git_history") or not isinstance(view, FsRepoView) or not view.exists(".git"):
            return out
        base = str(view.base)
        shown = view.display(".git")
        if os.path.islink(os.path.join(base, ".git")):
            out.skips.append(Skip(shown, "Git history not read: .git is a symbolic link (not followed).", self.name))
            return out
        limit = int(ctx.options.get("git_history_limit") or DEFAULT_LIMIT)
        inventory = ctx.options.get("inventory")
        extra, _tokens = inventory_hints(str(inventory)) if inventory else ({}, {})
        try:
            branch = default_branch(base)
            chain = set(run_git(base, "rev-list", "--first-parent", f"--max-count={limit}", branch, "--").split())
            facts = self.summarise(stream_log(base, branch, limit), chain, extra)
        except GitUnavailable as exc:
            out.skips.append(Skip(shown, f"Git history not read: {exc}.", self.name))
            return out
        except (OSError, subprocess.SubprocessError) as exc:
            out.skips.append(Skip(shown, f"Git history not read ({type(exc).__name__}).", self.name))
            return out
        facts.update({"default_branch": branch, "limit": limit, "truncated": facts["commits_read"] >= limit})
        evidence = Evidence(
            id=evidence_id(self.name, shown),
            collector=self.name,
            source=f"git://{shown}#{branch}",
            media_type="text/x-git-log",
            sha256=facts.pop("log_sha256"),
            size=facts.pop("log_bytes"),
            collected_at=ctx.clock(),
            data=facts,
            repository=view.display_repo,
        )
        out.evidence.append(evidence)
        out.subjects.append(
            Subject(
                id=subject_id(KIND, view.display_repo, shown),
                kind=KIND,
                name=f"git history of {view.display_repo or '.'} ({branch})",
                path=shown,
                repository=view.display_repo,
                capability=Capability(Tier.ADVISORY, (f"{facts['commits_read']} commit(s) of {branch} read.",)),
                facts={**facts, "accounts_seen": facts["assistant_accounts"]},
                evidence_ids=(evidence.id,),
            )
        )
        return out

    @staticmethod
    def summarise(records: Iterator[list[str]], chain: set[str], extra: Mapping[str, str]) -> dict[str, Any]:
        """Fold commit records into counts and samples (bounded)."""
        accounts = known_accounts()
        read = 0
        head = ""
        families: Counter[str] = Counter()
        seen_accounts: set[str] = set()
        authored = coauthored = merges = via_pr = 0
        direct: list[dict[str, str]] = []
        direct_count = direct_coauthored = 0
        pr_numbers: list[int] = []
        first = last = ""
        digest = hashlib.sha256()
        size = 0
        for fields in records:
            raw = "\x1f".join(fields).encode("utf-8", "replace")
            digest.update(raw)
            size += len(raw)
            commit, parents, an, ae, _cn, ce, date, body = fields
            read += 1
            head = head or commit
            family = ""
            for login in login_of(an, ae):
                family = (extra.get(login) and f"inventory:{extra[login]}") or accounts.login(login)
                if family:
                    seen_accounts.add(login)
                    break
            co_family = ""
            for match in COAUTHOR.finditer(body):
                co_family = accounts.coauthor(match.group("name"), match.group("email"))
                if not co_family:
                    for login in login_of(match.group("name"), match.group("email")):
                        co_family = (extra.get(login) and f"inventory:{extra[login]}") or accounts.login(login)
                        if co_family:
                            break
                if co_family:
                    seen_accounts.add(match.group("name").strip().lower())
                    break
            if not (family or co_family):
                continue
            families[family or co_family] += 1
            authored += bool(family)
            coauthored += bool(co_family) and not family
            first = date if not first or date < first else first
            last = date if date > last else last
            subject_line = body.split("\n", 1)[0]
            number = PR_NUMBER.search(subject_line)
            is_merge = len(parents.split()) > 1
            merges += is_merge
            if number and len(pr_numbers) < 1000:
                pr_numbers.append(int(number.group(1) or number.group(2)))
            if commit not in chain or is_merge:
                continue
            if ce.strip().lower() == "noreply@github.com" and number:
                via_pr += 1
                continue
            if not family:
                direct_coauthored += 1
                continue
            direct_count += 1
            if len(direct) < SAMPLES:
                text, _ = redact_string(subject_line[:120])
                direct.append({"commit": commit[:12], "author": an, "date": date, "subject": text, "family": family})
        return {
            "commits_read": read,
            "log_sha256": digest.hexdigest(),
            "log_bytes": size,
            "head": head,
            "assistant_commits": sum(families.values()),
            "assistant_authored": authored,
            "assistant_coauthored": coauthored,
            "assistant_merges": merges,
            "assistant_by_family": dict(sorted(families.items())),
            "assistant_first_seen": first,
            "assistant_last_seen": last,
            "assistant_via_pull_request": via_pr,
            "direct_pushes": {"count": direct_count, "samples": direct, "coauthored_count": direct_coauthored},
            "assistant_pull_requests": sorted(set(pr_numbers)),
            "assistant_accounts": sorted(seen_accounts),
        }
