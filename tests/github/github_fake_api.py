"""A local HTTP server speaking the GitHub REST shapes the governance collector reads.

Routes are data: ``{path: Route}``. List routes are paginated by ``per_page``/``page`` with a
``Link`` header, as GitHub does; ``Route.failures`` plays scripted answers first (a 502, a 403
rate-limit refusal with ``X-RateLimit-Reset``, a secondary limit with ``Retry-After``), so retries and
waits can be tested against real HTTP.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Route:
    """One endpoint's behaviour."""

    body: Any = None
    status: int = 200
    list_key: str = ""
    """For object-wrapped lists ({"total_count", "installations": [...]}) the list's key."""
    paginate: bool = False
    failures: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    etag: str = ""


@dataclass
class FakeGitHub:
    """The server state: routes, and every request seen (path, query, headers)."""

    routes: dict[str, Route]
    seen: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    base: str = ""


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = b"" if body is None and status == 304 else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.seen.append((parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
            route = state.routes.get(parts.path)
            if route is None:
                self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
                return
            if route.failures:
                status, headers, body = route.failures.pop(0)
                self._send(status, body, headers)
                return
            headers = {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": "0"}
            if route.etag:
                if self.headers.get("If-None-Match") == route.etag:
                    self._send(304, None, {"ETag": route.etag})
                    return
                headers["ETag"] = route.etag
            body = route.body
            if route.paginate:
                items = body[route.list_key] if route.list_key else body
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                chunk = items[(page - 1) * per_page : page * per_page]
                if page * per_page < len(items):
                    following = dict(query)
                    following["page"] = [str(page + 1)]
                    link = "&".join(f"{k}={v[0]}" for k, v in sorted(following.items()))
                    headers["Link"] = f'<{state.base}{parts.path}?{link}>; rel="next"'
                body = {**body, route.list_key: chunk} if route.list_key else chunk
            self._send(route.status, body, headers)

    return Handler


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[FakeGitHub]:
    """Run the fake API on 127.0.0.1 in a thread for the duration of the block."""
    state = FakeGitHub(routes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def acme_routes(
    org: str = "acme", repos: tuple[str, ...] = ("platform-api",), pat_grants: bool = False
) -> dict[str, Route]:
    """A small organisation exercising every governance probe both ways.

    The first repository is well governed; the second (when given) is not. Without ``pat_grants`` the
    fine-grained PAT endpoint answers 403 as it does for any token that is not a GitHub App's.
    """
    routes: dict[str, Route] = {
        f"/orgs/{org}/installations": Route(
            {
                "total_count": 3,
                "installations": [
                    {
                        "id": 1,
                        "app_id": 1001,
                        "app_slug": "claude",
                        "repository_selection": "selected",
                        "permissions": {"contents": "write", "pull_requests": "write", "metadata": "read"},
                        "account": {"login": org, "type": "Organization"},
                        "suspended_at": None,
                    },
                    {
                        "id": 2,
                        "app_id": 1002,
                        "app_slug": "copilot-swe-agent",
                        "repository_selection": "all",
                        "permissions": {"contents": "write", "administration": "write"},
                        "account": {"login": org, "type": "Organization"},
                        "suspended_at": None,
                    },
                    {
                        "id": 3,
                        "app_id": 1003,
                        "app_slug": "renovate",
                        "repository_selection": "all",
                        "permissions": {"contents": "write"},
                        "account": {"login": org, "type": "Organization"},
                        "suspended_at": None,
                    },
                ],
            },
            list_key="installations",
            paginate=True,
        ),
        f"/orgs/{org}/personal-access-tokens": Route(
            {
                "message": "Resource not accessible by personal access token",
                "documentation_url": "https://docs.github.com/rest/orgs/personal-access-tokens",
            },
            status=403,
        ),
        f"/orgs/{org}/actions/permissions/workflow": Route(
            {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": False}
        ),
        f"/orgs/{org}/copilot/billing": Route(
            {
                "seat_management_setting": "assign_selected",
                "ide_chat": "enabled",
                "platform_chat": "enabled",
                "cli": "enabled",
                "public_code_suggestions": "block",
            }
        ),
        f"/orgs/{org}/repos": Route(
            [{"full_name": f"{org}/{name}", "archived": False} for name in repos], paginate=True
        ),
    }
    if pat_grants:
        routes[f"/orgs/{org}/personal-access-tokens"] = Route(
            [
                {
                    "id": 1,
                    "token_id": 501,
                    "token_name": "release-notes",
                    "owner": {"login": "bob", "id": 2, "type": "User"},
                    "repository_selection": "subset",
                    "permissions": {"repository": {"contents": "read"}},
                    "access_granted_at": "2026-09-01T00:00:00Z",
                    "token_expired": False,
                    "token_expires_at": "2026-12-01T00:00:00Z",
                    "token_last_used_at": "2026-11-20T00:00:00Z",
                },
                {
                    "id": 2,
                    "token_id": 502,
                    "token_name": "codex-automation",
                    "owner": {"login": "acme-codex-bot", "id": 3, "type": "User"},
                    "repository_selection": "all",
                    "permissions": {"repository": {"contents": "write"}},
                    "access_granted_at": "2026-01-10T00:00:00Z",
                    "token_expired": False,
                    "token_expires_at": None,
                    "token_last_used_at": "2026-11-24T00:00:00Z",
                },
            ],
            paginate=True,
        )
    for index, name in enumerate(repos):
        good = index == 0
        base = f"/repos/{org}/{name}"
        routes[base] = Route({"full_name": f"{org}/{name}", "default_branch": "main"})
        if good:
            routes[f"{base}/branches/main/protection"] = Route(
                {
                    "required_pull_request_reviews": {
                        "required_approving_review_count": 1,
                        "require_code_owner_reviews": True,
                        "bypass_pull_request_allowances": {"users": [], "teams": [], "apps": []},
                    },
                    "enforce_admins": {"enabled": True},
                    "allow_force_pushes": {"enabled": False},
                }
            )
        else:
            routes[f"{base}/branches/main/protection"] = Route(
                {"message": "Branch not protected", "documentation_url": "https://docs.github.com/rest"}, status=404
            )
        routes[f"{base}/rules/branches/main"] = Route(
            [] if good else [{"type": "deletion", "ruleset_id": 7}], paginate=True
        )
        routes[f"{base}/rulesets"] = Route(
            [] if good else [{"id": 7, "name": "main", "enforcement": "active"}], paginate=True
        )
        if not good:
            routes[f"{base}/rulesets/7"] = Route(
                {
                    "id": 7,
                    "name": "main",
                    "enforcement": "active",
                    "target": "branch",
                    "bypass_actors": [
                        {"actor_id": 1002, "actor_type": "Integration", "bypass_mode": "always"},
                        {"actor_id": 1, "actor_type": "OrganizationAdmin", "bypass_mode": "always"},
                    ],
                    "rules": [{"type": "deletion"}],
                }
            )
        routes[f"{base}/codeowners/errors"] = Route(
            {"errors": []}
            if good
            else {
                "errors": [
                    {
                        "line": 3,
                        "column": 1,
                        "kind": "Unknown owner",
                        "source": "* @acme/ghosts",
                        "suggestion": None,
                        "message": "Unknown owner on line 3",
                        "path": ".github/CODEOWNERS",
                    }
                ]
            }
        )
        routes[f"{base}/actions/permissions/workflow"] = Route(
            {"default_workflow_permissions": "read" if good else "write", "can_approve_pull_request_reviews": not good}
        )
        routes[f"{base}/environments"] = Route(
            {
                "total_count": 1,
                "environments": [
                    {
                        "name": "production",
                        "protection_rules": [
                            {"type": "required_reviewers", "reviewers": [{"type": "Team", "reviewer": {"slug": "sre"}}]}
                        ]
                        if good
                        else [{"type": "wait_timer", "wait_timer": 5}],
                        "deployment_branch_policy": None,
                    }
                ],
            },
            list_key="environments",
            paginate=True,
        )
        routes[f"{base}/pulls"] = Route(
            [
                {
                    "number": 10 + index,
                    "merged_at": "2026-11-01T10:00:00Z",
                    "user": {"login": "claude[bot]", "type": "Bot"},
                },
                {"number": 20 + index, "merged_at": None, "user": {"login": "claude[bot]", "type": "Bot"}},
                {"number": 30 + index, "merged_at": "2026-11-02T10:00:00Z", "user": {"login": "alice", "type": "User"}},
            ]
        )
        routes[f"{base}/pulls/{10 + index}/reviews"] = Route(
            [{"state": "APPROVED", "user": {"login": "bob", "type": "User"}}]
            if good
            else [{"state": "APPROVED", "user": {"login": "github-actions[bot]", "type": "Bot"}}],
            paginate=True,
        )
    return routes
