"""Known accounts and commit identities of AI coding assistants, kept as data in ``accounts.yaml``.

Shared by the audit log, git history and GitHub collectors so that the three recognise the same
assistants. An organisation's own assistant accounts come from the identity inventory (``accounts``)
and are matched in addition to these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from nhi_evidence.parsing import ParseError, parse_yaml


@dataclass(frozen=True)
class AssistantAccounts:
    """The known assistant identities, all keys lower case."""

    bot_logins: Mapping[str, str]
    """GitHub login -> assistant family (claude, copilot, codex, ...)."""
    app_slugs: Mapping[str, str]
    """GitHub App slug -> assistant family."""
    coauthor_emails: Mapping[str, str]
    """Co-authored-by e-mail -> assistant family."""
    coauthor_names: Mapping[str, str]
    """Co-authored-by name -> assistant family (used when the e-mail is unknown)."""
    automation_logins: frozenset[str]
    """Workflow bots that are not assistants (github-actions[bot], dependabot[bot])."""

    def login(self, login: str, extra: Mapping[str, str] | None = None) -> str:
        """Assistant family of a GitHub login or commit author name, or ""."""
        key = login.strip().lower()
        if extra and key in extra:
            return extra[key]
        return self.bot_logins.get(key, "")

    def app(self, slug: str, extra: Mapping[str, str] | None = None) -> str:
        """Assistant family of a GitHub App slug, or ""."""
        key = slug.strip().lower()
        if extra and key in extra:
            return extra[key]
        return self.app_slugs.get(key, "")

    def coauthor(self, name: str, email: str) -> str:
        """Assistant family of a Co-authored-by identity, or ""."""
        family = self.coauthor_emails.get(email.strip().lower(), "")
        if family:
            return family
        if email.strip().lower().endswith(("@anthropic.com",)):
            return "claude"
        return self.coauthor_names.get(name.strip().lower(), "")


#: ``Co-authored-by: Name <email>`` trailer (git interpret-trailers syntax, case-insensitive key).
COAUTHOR = re.compile(r"^co-authored-by:\s*(?P<name>[^<\n]*?)\s*<(?P<email>[^>\n]*)>\s*$", re.IGNORECASE | re.MULTILINE)


@cache
def known_accounts() -> AssistantAccounts:
    """Load ``accounts.yaml`` once."""
    text = resources.files(__package__).joinpath("accounts.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)

    def lower(mapping: Mapping[str, str]) -> dict[str, str]:
        return {str(k).lower(): str(v) for k, v in mapping.items()}

    return AssistantAccounts(
        bot_logins=lower(raw["bot_logins"]),
        app_slugs=lower(raw["app_slugs"]),
        coauthor_emails=lower(raw["coauthor_emails"]),
        coauthor_names=lower(raw["coauthor_names"]),
        automation_logins=frozenset(str(x).lower() for x in raw["automation_logins"]),
    )


def inventory_accounts(identities: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Login/slug (lower case) -> inventory identity id, from inventory identities' ``accounts`` lists."""
    found: dict[str, str] = {}
    for identity in identities:
        accounts = identity.get("accounts")
        if isinstance(accounts, list):
            for account in accounts:
                found.setdefault(str(account).lower(), str(identity.get("id", "")))
    return found


def inventory_hints(path: str) -> tuple[dict[str, str], dict[str, str]]:
    """Accounts and token ids of the inventory (when given), so its machine users count as non-human actors.

    Problems with the file are reported by the inventory collector; here they only mean no hints.
    """
    try:
        with open(path, "rb") as handle:
            data = parse_yaml(handle.read())
    except (OSError, ParseError):
        return {}, {}
    accounts: dict[str, str] = {}
    tokens: dict[str, str] = {}
    if not isinstance(data, dict):
        return {}, {}
    for identity in data.get("identities") or ():
        if not isinstance(identity, dict):
            continue
        ident = str(identity.get("id", ""))
        for account in identity.get("accounts") or ():
            accounts[str(account).lower()] = ident
        for credential in identity.get("credentials") or ():
            if isinstance(credential, dict) and credential.get("token_id") not in (None, ""):
                tokens[str(credential["token_id"])] = ident
    return accounts, tokens
