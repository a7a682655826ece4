"""The only URL fetcher weasyprint is given: it serves the project's packaged report assets and nothing else.

Report content comes from repositories someone else wrote. It is escaped by the templates, so no
markup from it should ever reach weasyprint; this fetcher is the second line of defence. Whatever
URL weasyprint asks for (an image, a stylesheet, a CSS ``url(...)``, an attachment), it is recorded,
and served only when it is a ``file:`` URL naming a regular file inside the packaged ``templates/``
folder. ``http(s):``, ``data:``, ``ftp:``, other ``file:`` paths (``file:///etc/passwd``) and paths
that leave the folder through ``..`` or a symbolic link are refused.

NOTE: weasyprint 68+ takes a ``URLFetcher`` subclass overriding ``fetch(url, headers)``; an
exception raised there is reported as a warning and the resource is left out (the document still
renders). https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#url-fetchers
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from nhi_evidence.resources import templates_dir


class RefusedURL(ValueError):
    """A URL the report may not fetch."""


@dataclass(frozen=True)
class FetchRecord:
    """One request weasyprint made."""

    url: str
    """The URL as weasyprint asked for it."""
    served: bool
    """Whether it was served (a packaged asset) or refused."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serve packaged report assets only; record every request."""

    def __init__(self, root: Path | None = None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = (root or templates_dir()).resolve()
        self.requests: list[FetchRecord] = []

    def resolve(self, url: str) -> Path:
        """The packaged file a URL names; raises RefusedURL for anything else."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused to fetch {url[:80]!r}: only packaged report assets are served")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"refused to fetch {url[:80]!r}: not a packaged report asset")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the asset, or raise RefusedURL (weasyprint then leaves the resource out)."""
        try:
            path = self.resolve(url)
        except RefusedURL:
            self.requests.append(FetchRecord(url, False))
            raise
        self.requests.append(FetchRecord(url, True))
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": media_type})

    @property
    def refused(self) -> list[str]:
        """URLs that were asked for and refused."""
        return [r.url for r in self.requests if not r.served]
