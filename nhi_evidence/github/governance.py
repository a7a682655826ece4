"""Reads the organisation and repository settings that evidence assistant controls into normalised facts.

Endpoints (read-only; field names per /work/shared/formats.md section 8 and the REST reference):
- ``GET /orgs/{org}/installations``: App installations and their permissions;
- ``GET /orgs/{org}/personal-access-tokens``: fine-grained PAT grants (GitHub Apps only);
- ``GET /orgs/{org}/actions/permissions/workflow``: default GITHUB_TOKEN permissions;
- ``GET /orgs/{org}/copilot/billing``: Copilot policy settings (no REST endpoint exposes the Copilot
  coding agent policy; that is recorded as not available);
- ``GET /orgs/{org}/repos``: repositories when none are named;
- per repository: ``/repos/{o}/{r}``, ``/branches/{b}/protection``, ``/rules/branches/{b}``,
  ``/rulesets`` and ``/rulesets/{id}``, ``/codeowners/errors``, ``/actions/permissions/workflow``,
  ``/environments``, ``/pulls?state=closed`` and ``/pulls/{n}/reviews`` for assistant-authored pull requests.

NOTE: https://docs.github.com/en/rest/branches/branch-protection , https://docs.github.com/en/rest/repos/rules ,
https://docs.github.com/en/rest/repos/repos#list-codeowners-errors , https://docs.github.com/en/rest/actions/permissions ,
https://docs.github.com/en/rest/deployments/environments , https://docs.github.com/en/rest/orgs/orgs#list-app-installations-for-an-organization ,
https://docs.github.com/en/rest/orgs/personal-access-tokens , https://docs.github.com/en/rest/pulls/reviews
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhi_evidence.github.accounts import known_accounts
from nhi_evidence.github.client import ApiResult
from nhi_evidence.github.sources import ApiSource

#: Most repositories read when only an organisation is named, and most closed pull requests per repository.
MAX_REPOS = 200
MAX_PULLS = 100
#: Permissions that let an App change repository or organisation administration.
ADMIN_PERMISSIONS = ("administration", "organization_administration", "members", "organization_secrets", "secrets")

COPILOT_AGENT_REASON = (
    "GitHub offers no REST endpoint for the Copilot coding agent policy; check it in the organisation settings"
)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def assistant_family(login: str, app_slug: str = "", extra: Mapping[str, str] | None = None) -> str:
    """Assistant family of a login or App slug ("" when none)."""
    accounts = known_accounts()
    family = accounts.login(login, extra) if login else ""
    if not family and app_slug:
        family = accounts.app(app_slug, extra)
    if not family and login.lower().endswith("[bot]"):
        family = accounts.app(login[:-5], extra)
    return family


def _available(result: ApiResult, unavailable: dict[str, str], name: str) -> bool:
    if result.ok:
        return True
    unavailable[name] = result.reason or f"HTTP {result.status}"
    return False


def organization_facts(source: ApiSource, org: str, extra: Mapping[str, str]) -> dict[str, Any]:
    """Facts about one organisation."""
    unavailable: dict[str, str] = {}
    facts: dict[str, Any] = {"org": org}
    installs = source.get_all(f"/orgs/{org}/installations", key="installations")
    installations = []
    if _available(installs, unavailable, "installations"):
        for item in _list(_dict(installs.data).get("installations")):
            item = _dict(item)
            slug = str(item.get("app_slug") or "")
            permissions = {str(k): str(v) for k, v in _dict(item.get("permissions")).items()}
            installations.append(
                {
                    "app_slug": slug,
                    "app_id": item.get("app_id"),
                    "repository_selection": item.get("repository_selection"),
                    "permissions": dict(sorted(permissions.items())),
                    "suspended": bool(item.get("suspended_at")),
                    "assistant": assistant_family("", slug, extra),
                }
            )
    facts["installations"] = sorted(installations, key=lambda i: (i["app_slug"], str(i["app_id"])))
    pats = source.get_all(f"/orgs/{org}/personal-access-tokens")
    grants = []
    if _available(pats, unavailable, "personal_access_tokens"):
        for item in _list(pats.data):
            item = _dict(item)
            owner = str(_dict(item.get("owner")).get("login") or "")
            grants.append(
                {
                    "token_id": item.get("token_id"),
                    "token_name": item.get("token_name", ""),
                    "owner": owner,
                    "repository_selection": item.get("repository_selection"),
                    "expired": bool(item.get("token_expired")),
                    "expires_at": item.get("token_expires_at"),
                    "last_used_at": item.get("token_last_used_at"),
                    "assistant": assistant_family(owner, "", extra),
                }
            )
    facts["pat_grants"] = grants
    workflow = source.get(f"/orgs/{org}/actions/permissions/workflow")
    if _available(workflow, unavailable, "workflow_permissions"):
        facts["workflow_permissions"] = _workflow(workflow.data)
    copilot = source.get(f"/orgs/{org}/copilot/billing")
    if _available(copilot, unavailable, "copilot"):
        data = _dict(copilot.data)
        facts["copilot"] = {
            k: data.get(k)
            for k in ("seat_management_setting", "ide_chat", "platform_chat", "cli", "public_code_suggestions")
        }
    unavailable["copilot_coding_agent"] = COPILOT_AGENT_REASON
    facts["unavailable"] = dict(sorted(unavailable.items()))
    return facts


def organization_repositories(source: ApiSource, org: str) -> tuple[list[str], str]:
    """Non-archived repositories of an organisation (bounded), and a reason when they could not be listed."""
    result = source.get_all(f"/orgs/{org}/repos", {"type": "all"})
    if not result.ok:
        return [], result.reason or f"HTTP {result.status}"
    names = sorted(
        str(_dict(r).get("full_name"))
        for r in _list(result.data)
        if _dict(r).get("full_name") and not _dict(r).get("archived")
    )
    return names[:MAX_REPOS], ""


def _workflow(data: Any) -> dict[str, Any]:
    body = _dict(data)
    return {
        "default_workflow_permissions": body.get("default_workflow_permissions"),
        "can_approve_pull_request_reviews": body.get("can_approve_pull_request_reviews"),
    }


def _protection(data: Any) -> dict[str, Any]:
    body = _dict(data)
    reviews = _dict(body.get("required_pull_request_reviews"))
    bypass = _dict(reviews.get("bypass_pull_request_allowances"))
    return {
        "required_approving_review_count": int(reviews.get("required_approving_review_count") or 0) if reviews else 0,
        "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
        "require_last_push_approval": bool(reviews.get("require_last_push_approval")),
        "enforce_admins": bool(_dict(body.get("enforce_admins")).get("enabled")),
        "allow_force_pushes": bool(_dict(body.get("allow_force_pushes")).get("enabled")),
        "bypass_apps": sorted(str(_dict(a).get("slug") or "") for a in _list(bypass.get("apps"))),
        "bypass_users": sorted(str(_dict(u).get("login") or "") for u in _list(bypass.get("users"))),
        "push_apps": sorted(
            str(_dict(a).get("slug") or "") for a in _list(_dict(body.get("restrictions")).get("apps"))
        ),
    }


def _review_rule(rules: list[Any]) -> dict[str, Any]:
    best: dict[str, Any] = {}
    for rule in rules:
        rule = _dict(rule)
        if rule.get("type") != "pull_request":
            continue
        params = _dict(rule.get("parameters"))
        count = int(params.get("required_approving_review_count") or 0)
        if count >= int(best.get("required_approving_review_count", -1)):
            best = {
                "required_approving_review_count": count,
                "require_code_owner_review": bool(params.get("require_code_owner_review")),
                "ruleset_id": rule.get("ruleset_id"),
            }
    return best


def repository_facts(
    source: ApiSource, full_name: str, installs: list[dict[str, Any]], extra: Mapping[str, str]
) -> dict[str, Any]:
    """Facts about one repository (``installs``: the organisation's App installations, to name bypass actors)."""
    unavailable: dict[str, str] = {}
    facts: dict[str, Any] = {"repository": full_name}
    base = f"/repos/{full_name}"
    repo = source.get(base)
    if not _available(repo, unavailable, "repository"):
        facts["unavailable"] = unavailable
        return facts
    branch = str(_dict(repo.data).get("default_branch") or "main")
    facts["default_branch"] = branch
    apps_by_id = {i.get("app_id"): i for i in installs}
    protection = source.get(f"{base}/branches/{branch}/protection")
    if protection.ok:
        facts["protection"] = _protection(protection.data)
    elif protection.status == 404 and "not protected" in protection.reason.lower():
        facts["protection"] = None
    else:
        _available(protection, unavailable, "branch_protection")
    effective = source.get_all(f"{base}/rules/branches/{branch}")
    if _available(effective, unavailable, "rules"):
        facts["effective_review_rule"] = _review_rule(_list(effective.data))
        facts["effective_rule_types"] = sorted({str(_dict(r).get("type")) for r in _list(effective.data)})
    rulesets = source.get_all(f"{base}/rulesets", {"includes_parents": "true"})
    bypass: list[dict[str, Any]] = []
    if _available(rulesets, unavailable, "rulesets"):
        for summary in _list(rulesets.data):
            ruleset_id = _dict(summary).get("id")
            detail = source.get(f"{base}/rulesets/{ruleset_id}")
            if not _available(detail, unavailable, f"ruleset_{ruleset_id}"):
                continue
            body = _dict(detail.data)
            if body.get("enforcement") != "active":
                continue
            for actor in _list(body.get("bypass_actors")):
                actor = _dict(actor)
                kind = str(actor.get("actor_type") or "")
                install = apps_by_id.get(actor.get("actor_id")) if kind == "Integration" else None
                slug = str(install.get("app_slug")) if install else ""
                bypass.append(
                    {
                        "ruleset": body.get("name", ""),
                        "ruleset_id": ruleset_id,
                        "actor_type": kind,
                        "actor_id": actor.get("actor_id"),
                        "bypass_mode": actor.get("bypass_mode"),
                        "app_slug": slug,
                        "assistant": assistant_family("", slug, extra) if slug else "",
                    }
                )
    facts["bypass_actors"] = bypass
    codeowners = source.get(f"{base}/codeowners/errors")
    if codeowners.ok:
        facts["codeowners_errors"] = [
            {k: _dict(e).get(k) for k in ("line", "column", "kind", "message", "path")}
            for e in _list(_dict(codeowners.data).get("errors"))
        ]
    elif codeowners.status == 404:
        facts["codeowners_errors"] = None
        unavailable["codeowners"] = "no CODEOWNERS file (HTTP 404)"
    else:
        _available(codeowners, unavailable, "codeowners")
    workflow = source.get(f"{base}/actions/permissions/workflow")
    if _available(workflow, unavailable, "workflow_permissions"):
        facts["workflow_permissions"] = _workflow(workflow.data)
    environments = source.get_all(f"{base}/environments", key="environments")
    if _available(environments, unavailable, "environments"):
        facts["environments"] = [_environment(e) for e in _list(_dict(environments.data).get("environments"))]
    facts["pull_requests"] = _assistant_pulls(source, base, unavailable, extra)
    facts["unavailable"] = dict(sorted(unavailable.items()))
    return facts


def _environment(data: Any) -> dict[str, Any]:
    body = _dict(data)
    rules = [_dict(r) for r in _list(body.get("protection_rules"))]
    policy = _dict(body.get("deployment_branch_policy"))
    return {
        "name": body.get("name", ""),
        "required_reviewers": sum(
            len(_list(r.get("reviewers"))) for r in rules if r.get("type") == "required_reviewers"
        ),
        "prevent_self_review": any(
            bool(r.get("prevent_self_review")) for r in rules if r.get("type") == "required_reviewers"
        ),
        "wait_timer": max([int(r.get("wait_timer") or 0) for r in rules if r.get("type") == "wait_timer"] or [0]),
        "branch_policy": bool(policy.get("protected_branches") or policy.get("custom_branch_policies")),
    }


def _assistant_pulls(
    source: ApiSource, base: str, unavailable: dict[str, str], extra: Mapping[str, str]
) -> dict[str, Any]:
    """Merged pull requests authored by assistants and whether a human approved each."""
    pulls = source.get(
        f"{base}/pulls", {"state": "closed", "per_page": MAX_PULLS, "sort": "updated", "direction": "desc"}
    )
    if not _available(pulls, unavailable, "pull_requests"):
        return {}
    merged = approved = 0
    without: list[int] = []
    for pull in _list(pulls.data):
        pull = _dict(pull)
        author = str(_dict(pull.get("user")).get("login") or "")
        if not pull.get("merged_at") or not assistant_family(author, "", extra):
            continue
        merged += 1
        number = pull.get("number")
        reviews = source.get_all(f"{base}/pulls/{number}/reviews")
        if not _available(reviews, unavailable, f"reviews_{number}"):
            continue
        human = any(
            _dict(r).get("state") == "APPROVED"
            and _dict(_dict(r).get("user")).get("type") == "User"
            and not assistant_family(str(_dict(_dict(r).get("user")).get("login") or ""), "", extra)
            for r in _list(reviews.data)
        )
        if human:
            approved += 1
        elif isinstance(number, int):
            without.append(number)
    return {
        "assistant_merged": merged,
        "human_approved": approved,
        "without_human_approval": sorted(without),
        "window": MAX_PULLS,
    }


def gather(
    source: ApiSource, org: str, repos: list[str], extra: dict[str, str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], str]:
    """Organisation facts (when an org is named), repository facts, and a problem listing repositories."""
    org_facts = organization_facts(source, org, extra) if org else None
    problem = ""
    names = list(repos)
    if org and not names:
        names, problem = organization_repositories(source, org)
    installs = list(org_facts.get("installations", [])) if org_facts else []
    repo_facts = [repository_facts(source, name, installs, extra) for name in sorted(set(names))]
    return org_facts, repo_facts, problem
