"""The REST client against a local HTTP server: pagination, retries, rate limits, ETags, missing permissions."""

from __future__ import annotations

from typing import Any

import pytest
from github_fake_api import Route, serve

from nhi_evidence.github.client import GitHubClient


def client_for(base: str, **kwargs: Any) -> tuple[GitHubClient, list[float]]:
    waits: list[float] = []
    client = GitHubClient(
        base_url=base,
        token="ghp_CANARYaaaaBBBBccccDDDDeeeeFFFFgggg1234",
        sleep=waits.append,
        now=lambda: 1000.0,
        **kwargs,
    )
    return client, waits


def test_link_header_pagination_merges_every_page() -> None:
    items = [{"id": n} for n in range(250)]
    with serve({"/orgs/acme/repos": Route(items, paginate=True)}) as api:
        client, _ = client_for(api.base)
        result = client.get_all("/orgs/acme/repos")
    assert result.ok
    assert [i["id"] for i in result.data] == list(range(250))
    pages = [q.get("page", ["1"])[0] for path, q, _ in api.seen if path == "/orgs/acme/repos"]
    assert pages == ["1", "2", "3"]


def test_object_wrapped_list_is_merged_under_its_key() -> None:
    body = {"total_count": 150, "installations": [{"id": n} for n in range(150)]}
    with serve({"/orgs/acme/installations": Route(body, list_key="installations", paginate=True)}) as api:
        client, _ = client_for(api.base)
        result = client.get_all("/orgs/acme/installations", key="installations")
    assert len(result.data["installations"]) == 150
    assert result.data["total_count"] == 150


def test_502_is_retried_with_backoff() -> None:
    route = Route({"ok": True}, failures=[(502, {}, {"message": "Bad Gateway"}), (502, {}, {"message": "Bad Gateway"})])
    with serve({"/x": route}) as api:
        client, waits = client_for(api.base, backoff=0.5)
        result = client.get("/x")
    assert result.ok
    assert result.data == {"ok": True}
    assert waits == [0.5, 1.0]


def test_5xx_gives_up_after_the_retry_budget() -> None:
    route = Route({"ok": True}, failures=[(503, {}, {"message": "unavailable"})] * 5)
    with serve({"/x": route}) as api:
        client, waits = client_for(api.base, max_retries=2)
        result = client.get("/x")
    assert result.status == 503
    assert not result.ok
    assert len(waits) == 2


def test_primary_rate_limit_waits_until_reset() -> None:
    refusal = (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}, {"message": "API rate limit exceeded"})
    with serve({"/x": Route({"ok": True}, failures=[refusal])}) as api:
        client, waits = client_for(api.base)
        result = client.get("/x")
    assert result.ok
    assert waits == [31.0]  # reset (1030) - now (1000) + 1 s margin


def test_secondary_rate_limit_honours_retry_after() -> None:
    refusal = (429, {"Retry-After": "7"}, {"message": "You have exceeded a secondary rate limit"})
    with serve({"/x": Route({"ok": True}, failures=[refusal])}) as api:
        client, waits = client_for(api.base)
        assert client.get("/x").ok
    assert waits == [7.0]


def test_rate_limit_longer_than_allowed_is_not_available_not_a_hang() -> None:
    refusal = (
        403,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999"},
        {"message": "API rate limit exceeded"},
    )
    with serve({"/x": Route({"ok": True}, failures=[refusal])}) as api:
        client, waits = client_for(api.base, max_wait=60)
        result = client.get("/x")
    assert not result.ok
    assert "rate limited" in result.reason
    assert waits == []


def test_missing_permission_is_a_result_with_the_reason() -> None:
    body = {"message": "Resource not accessible by integration"}
    with serve({"/orgs/acme/personal-access-tokens": Route(body, status=403)}) as api:
        client, waits = client_for(api.base)
        result = client.get_all("/orgs/acme/personal-access-tokens")
    assert result.status == 403
    assert "lacks the permission" in result.reason
    assert "Resource not accessible" in result.reason
    assert waits == []


def test_etag_is_sent_back_and_304_reuses_the_body() -> None:
    with serve({"/x": Route({"v": 1}, etag='"abc"')}) as api:
        client, _ = client_for(api.base)
        first = client.get("/x")
        second = client.get("/x")
    assert first.data == second.data == {"v": 1}
    assert api.seen[1][2].get("if-none-match") == '"abc"'


def test_token_goes_only_to_the_api_origin_and_headers_are_versioned() -> None:
    with serve({"/x": Route({"ok": True})}) as api:
        client, _ = client_for(api.base)
        client.get("/x")
    headers = api.seen[0][2]
    assert headers["authorization"].startswith("Bearer ghp_")
    assert headers["x-github-api-version"] == "2022-11-28"
    assert "CANARY" not in repr(client)


def test_next_link_to_another_origin_is_not_followed() -> None:
    with serve({"/x": Route([{"id": 1}, {"id": 2}], paginate=True)}) as api:
        client, _ = client_for(api.base)
        api.base = "http://203.0.113.9:1"  # the server now advertises a foreign next link
        result = client.get_all("/x", {"per_page": 1})
    assert result.data == [{"id": 1}]
    assert len(api.seen) == 1


def test_base_url_and_token_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    monkeypatch.setenv("GITHUB_TOKEN", "t0")
    client = GitHubClient()
    assert client.base_url == "https://ghe.example.com/api/v3"
    assert client.token == "t0"
