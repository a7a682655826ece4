"""A small, read-only GitHub REST client: pagination, retries, rate limits, conditional requests.

- Base URL from ``GITHUB_API_URL`` (default ``https://api.github.com``), as GitHub Actions and GitHub
  Enterprise Server set it; token from ``GITHUB_TOKEN``, sent only to that origin and never logged.
- Pagination follows the ``Link: <...>; rel="next"`` header, only to the same origin.
- 5xx answers and transport errors are retried with exponential backoff.
- Primary rate limit (``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset``) and secondary rate
  limits (``Retry-After``, or at least one minute) are waited out, up to ``max_wait`` seconds.
- ETags are remembered and sent back as ``If-None-Match``; a ``304`` answer (which does not count
  against the primary rate limit) reuses the remembered body.
- 403 and 404 answers are returned as results with the reason, not raised.

NOTE: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api ,
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api ,
https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from nhi_evidence import __version__

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"


@dataclass(frozen=True)
class ApiResult:
    """One endpoint's answer: the JSON body when available, else the reason it is not."""

    status: int
    """HTTP status of the final answer (0 when no answer was obtained)."""
    data: Any = None
    """Parsed JSON (for paginated endpoints, every page merged)."""
    reason: str = ""
    """Why the data is not available (empty on success)."""
    etag: str = ""
    """The answer's ETag, when the API sent one (kept in exports for conditional re-export)."""
    not_modified: bool = False
    """True when the API answered 304 and the remembered body was reused (no rate-limit cost)."""

    @property
    def ok(self) -> bool:
        """Whether the data is available."""
        return 200 <= self.status < 300


class RateLimited(Exception):
    """The rate limit would take longer than allowed to reset."""


@dataclass
class GitHubClient:
    """Read-only client. ``sleep`` and ``now`` are injectable so tests do not wait."""

    base_url: str = ""
    token: str = field(default="", repr=False)
    timeout: float = 20.0
    max_retries: int = 4
    max_wait: float = 900.0
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    etags: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False)
    requests: int = 0
    answered: int = 0
    connect_retries: int = 1

    def __post_init__(self) -> None:
        self.base_url = (self.base_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        if not self.token:
            self.token = os.environ.get("GITHUB_TOKEN", "")
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"nhi-evidence/{__version__}",
        }
        self._http = httpx.Client(timeout=self.timeout, headers=headers, follow_redirects=False)
        self._origin = urlsplit(self.base_url)[:2]
        self._wait_until = 0.0

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _same_origin(self, url: str) -> bool:
        return urlsplit(url)[:2] == self._origin

    def _request(self, url: str, params: Mapping[str, Any] | None) -> httpx.Response | str:
        """One GET with retries and rate-limit waits; a string is the reason no answer was obtained."""
        headers: dict[str, str] = {}
        if self.token and self._same_origin(url):
            headers["Authorization"] = f"Bearer {self.token}"
        key = str(httpx.URL(url, params=params))
        cached = self.etags.get(key)
        if cached:
            headers["If-None-Match"] = cached[0]
        attempt = 0
        while True:
            delay = self._wait_until - self.now()
            if delay > 0:
                if delay > self.max_wait:
                    raise RateLimited(f"the rate limit resets in {int(delay)} s")
                self.sleep(delay)
            self.requests += 1
            try:
                response = self._http.get(url, params=params, headers=headers)
            except httpx.TransportError as exc:
                # A refused connection or unknown host will not heal in seconds: retry it less than a 5xx.
                budget = self.connect_retries if isinstance(exc, httpx.ConnectError) else self.max_retries
                if attempt >= budget or (self.answered == 0 and self.requests > 2 * (budget + 1)):
                    return f"no answer from the API ({type(exc).__name__})"
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            self.answered += 1
            wait = self._rate_limit_wait(response)
            if wait is not None:
                if wait > self.max_wait:
                    raise RateLimited(f"the rate limit resets in {int(wait)} s")
                if attempt >= self.max_retries:
                    return response
                self.sleep(wait)
                attempt += 1
                continue
            if response.status_code >= 500 and attempt < self.max_retries:
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            if response.headers.get("x-ratelimit-remaining") == "0":
                reset = _number(response.headers.get("x-ratelimit-reset"))
                if reset is not None:
                    self._wait_until = max(self._wait_until, reset + 1)
            return response

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait when the answer is a rate-limit refusal, else None."""
        if response.status_code not in (403, 429):
            return None
        retry_after = _number(response.headers.get("retry-after"))
        if retry_after is not None:
            return max(retry_after, 0.0)
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = _number(response.headers.get("x-ratelimit-reset"))
            return max((reset or self.now() + 60) - self.now(), 0.0) + 1
        if "secondary rate limit" in _message(response).lower():
            # NOTE: without Retry-After, GitHub asks to wait at least one minute.
            return 60.0
        return None

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResult:
        """GET one resource."""
        url = self._url(path)
        try:
            answer = self._request(url, params)
        except RateLimited as exc:
            return ApiResult(0, None, f"rate limited: {exc}")
        if isinstance(answer, str):
            return ApiResult(0, None, answer)
        return self._result(url, params, answer)

    def _result(self, url: str, params: Mapping[str, Any] | None, response: httpx.Response) -> ApiResult:
        key = str(httpx.URL(url, params=params))
        if response.status_code == 304 and key in self.etags:
            etag, data = self.etags[key]
            return ApiResult(200, data, etag=etag, not_modified=True)
        if response.status_code >= 400 or response.status_code < 200:
            return ApiResult(response.status_code, None, _reason(response))
        if response.status_code == 204 or not response.content:
            return ApiResult(response.status_code, None)
        try:
            data = response.json()
        except ValueError:
            return ApiResult(response.status_code, None, "the answer is not JSON")
        etag = response.headers.get("etag") or ""
        if etag:
            self.etags[key] = (etag, data)
        return ApiResult(response.status_code, data, etag=etag)

    def remember(self, path: str, params: Mapping[str, Any] | None, etag: str, data: Any) -> None:
        """Seed the ETag cache with an answer saved by a previous export.

        An unchanged resource then costs a 304, which does not count against the primary rate limit.
        """
        if etag:
            self.etags[str(httpx.URL(self._url(path), params=params))] = (etag, data)

    def get_all(
        self, path: str, params: Mapping[str, Any] | None = None, key: str = "", max_pages: int = 50
    ) -> ApiResult:
        """GET every page of a list endpoint; ``key`` names the list inside an object answer (``installations``)."""
        url = self._url(path)
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        items: list[Any] = []
        first: Any = None
        for _ in range(max_pages):
            try:
                answer = self._request(url, query)
            except RateLimited as exc:
                return ApiResult(0, None, f"rate limited: {exc}")
            if isinstance(answer, str):
                return ApiResult(0, None, answer)
            result = self._result(url, query, answer)
            if not result.ok:
                return result
            page = result.data
            if key and isinstance(page, dict):
                first = first if first is not None else page
                items.extend(page.get(key) or [])
            elif isinstance(page, list):
                items.extend(page)
            else:
                return result
            following = answer.links.get("next", {}).get("url")
            if not following or not self._same_origin(following):
                break
            url, query = following, None
        if key:
            merged = dict(first or {})
            merged[key] = items
            return ApiResult(200, merged)
        return ApiResult(200, items)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _reason(response: httpx.Response) -> str:
    message = _message(response)[:200]
    if response.status_code == 401:
        return "HTTP 401: the token is missing or invalid" + (f" ({message})" if message else "")
    if response.status_code == 403:
        return "HTTP 403: the token lacks the permission for this endpoint" + (f" ({message})" if message else "")
    if response.status_code == 404:
        return "HTTP 404: not found, or not visible to the token" + (f" ({message})" if message else "")
    return f"HTTP {response.status_code}" + (f" ({message})" if message else "")
