"""Untrusted values are escaped, weasyprint fetches nothing but packaged assets, no secret reaches the report."""

from __future__ import annotations

import html as htmllib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from nhi_test_support import canary_leaks

from nhi_evidence.renderers import RenderOptions
from nhi_evidence.report import AssetFetcher, html_to_pdf, render_html, render_pdf
from nhi_evidence.resources import templates_dir
from tests.report.builder import build_assessment
from tests.report.helpers import pdf_text

OPTIONS = RenderOptions(organization="Acme <Corp>", period="2026-Q4")


class Server:
    """A local HTTP server that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.append(self.path)
                body = b"body { background: red; }"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    try:
        yield srv
    finally:
        srv.close()


def hostile_values(url: str) -> dict[str, str]:
    return {
        "name": '<img src="file:///etc/passwd"> claude-code',
        "message": f'<link rel="stylesheet" href="{url}/remote.css"> The assistant is misconfigured.',
        "permissions": f"<div style=\"background: url('{url}/bg.png')\">allow</div> @import url({url}/imp.css);",
        "path": f"repo-000/<script src='{url}/x.js'></script>.json",
    }


def test_a_reachable_server_records_requests(server: Server) -> None:
    # The server the tests below rely on does see a request when one is made.
    import urllib.request

    with urllib.request.urlopen(server.url + "/probe.css") as response:  # noqa: S310 - local test server
        assert response.status == 200
    assert server.requests == ["/probe.css"]


def test_planted_markup_is_escaped_and_nothing_is_fetched(server: Server) -> None:
    planted = hostile_values(server.url)
    assessment = build_assessment(4, hostile=planted)
    page = render_html(assessment, OPTIONS)
    # Escaped as text, never as markup.
    assert '<img src="file:///etc/passwd">' not in page
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt; claude-code" in page
    assert "&lt;link rel=&#34;stylesheet&#34;" in page
    assert "<link" not in page
    assert "<script" not in page
    assert "Acme &lt;Corp&gt;" in page
    fetcher = AssetFetcher()
    result = render_pdf(assessment, OPTIONS, fetcher=fetcher)
    assert fetcher.requests == []
    assert server.requests == []
    text = pdf_text(result.content)
    assert '<img src="file:///etc/passwd"> claude-code' in text
    assert "root:x:0:0" not in text


def test_fetcher_refuses_every_url_but_packaged_assets(server: Server) -> None:
    # Raw markup straight into weasyprint: the fetcher alone must hold the line.
    raw = f"""<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="{server.url}/remote.css">
      <link rel="stylesheet" href="report.css">
      <style>@import url("{server.url}/import.css"); p {{ background: url({server.url}/bg.png); }}</style>
      </head><body>
      <img src="file:///etc/passwd"><img src="{server.url}/pixel.png">
      <img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">
      <img src="../../../../../../etc/passwd">
      <p style="background: url('file:///etc/hostname')">text</p></body></html>"""
    fetcher = AssetFetcher()
    html_to_pdf(raw, fetcher=fetcher)
    assert server.requests == []
    served = [r.url for r in fetcher.requests if r.served]
    assert served == [(templates_dir() / "report" / "report.css").resolve().as_uri()]
    refused = fetcher.refused
    assert any(u.startswith(server.url) for u in refused)
    assert "file:///etc/passwd" in refused
    assert any(u.startswith("data:") for u in refused)
    assert any(u.endswith("/etc/hostname") for u in refused)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.css",
        "data:text/css,body{}",
        "ftp://example.com/x",
        "file://remote-host/share/x.css",
    ],
)
def test_fetcher_resolve_refuses(url: str) -> None:
    with pytest.raises(ValueError, match="refused to fetch"):
        AssetFetcher().resolve(url)


def test_fetcher_refuses_paths_leaving_the_templates_folder() -> None:
    fetcher = AssetFetcher()
    inside = (templates_dir() / "report" / "report.css").resolve()
    assert fetcher.resolve(inside.as_uri()) == inside
    escape = inside.parent.as_uri() + "/../../../../etc/passwd"
    with pytest.raises(ValueError, match="not a packaged report asset"):
        fetcher.resolve(escape)


def test_no_canary_in_the_pdf_or_html() -> None:
    # Canaries planted raw in facts and messages, as if a collector had missed them.
    assessment = build_assessment(4, canaries=True)
    page = render_html(assessment, RenderOptions())
    assert canary_leaks(page) == []
    assert canary_leaks(htmllib.unescape(page)) == []
    text = pdf_text(render_pdf(assessment, RenderOptions()).content)
    assert canary_leaks(text) == []
    assert canary_leaks(re.sub(r"\s+", "", text)) == []
    # The redaction marker shows where they were.
    assert "[redacted" in page


def test_html_twin_is_self_contained() -> None:
    page = render_html(build_assessment(4), OPTIONS)
    assert "<link" not in page
    assert "<script" not in page
    assert re.findall(r"\bsrc=", page) == []
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', page))
    assert "url(" not in page
    assert "<style>" in page
    assert "@page" in page
