"""The renderer extension point: an Assessment in, bytes (or a set of files) out.

Adding an output format: a module with a ``Renderer`` subclass, and a member of ``OutputFormat`` in
``renderers/__init__.py`` whose ``renderer()`` match ends in ``assert_never``, so a forgotten branch is
a type error.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nhi_evidence.model import Assessment
from nhi_evidence.sinks import BinaryWriter, FileSink, Part


class RenderError(Exception):
    """A renderer could not produce its output (message fit for the user)."""


@dataclass(frozen=True)
class RenderOptions:
    """Options shared by renderers."""

    organization: str = ""
    """Organisation named on the report cover and in metadata."""
    period: str = ""
    """Assessment period label (2026-Q4)."""
    oscal_version: str = "1.2.1"
    """OSCAL version to emit (1.2.1 or 1.1.3)."""
    pdf_variant: str | None = None
    """weasyprint PDF variant (pdf/a-3b) or None."""
    color: bool = False
    """Terminal colours (text renderer)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Renderer-specific extras (pack manifest hash, previous-pack diff, ...)."""


class Renderer(ABC):
    """Renders an assessment to a single file."""

    #: Format name used on the command line.
    name: ClassVar[str]
    #: Suggested file extension.
    extension: ClassVar[str]
    #: True when the output is a folder of files (``render_files``) rather than one stream.
    directory: ClassVar[bool] = False
    #: Estimated cost (seconds) fixed and per finding, used to share outputs between processes;
    #: measured on a generated organisation of 10,000 repositories (``bench/scan_bench.py``).
    #: True when the output quotes an audit pack's content digest (``RenderOptions.extra``), so a
    #: pack renders it after the files the digest covers.
    quotes_pack_digest: ClassVar[bool] = False
    fixed_cost: ClassVar[float] = 0.1
    cost_per_finding: ClassVar[float] = 10e-6

    @abstractmethod
    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        """The rendered output."""

    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """Write the output to a stream (renderers of large outputs write it in pieces)."""
        out.write(self.render(assessment, options))

    def render_files(self, assessment: Assessment, options: RenderOptions) -> dict[str, bytes]:
        """Folder renderers: relative file name -> content. Single-file renderers give one entry."""
        return {f"assessment.{self.extension}": self.render(assessment, options)}

    def cost(self, assessment: Assessment) -> float:
        """Estimated seconds this renderer takes on an assessment."""
        return self.fixed_cost + self.cost_per_finding * len(assessment.findings)

    def parts(self, assessment: Assessment, options: RenderOptions) -> list[Part]:
        """Folder renderers: independent pieces of the output that separate processes may write."""
        return [Part(self.name, self.cost(assessment), lambda sink: self.write_files(assessment, options, sink))]

    def write_files(self, assessment: Assessment, options: RenderOptions, sink: FileSink) -> None:
        """Folder renderers: write every file into sink (renderers of large outputs stream them)."""
        for name, content in sorted(self.render_files(assessment, options).items()):
            with sink.open(name) as handle:
                handle.write(content)


class StreamedRenderer(Renderer):
    """A renderer whose output is written in pieces (``write``); ``render`` collects them in memory."""

    @abstractmethod
    def write(self, assessment: Assessment, options: RenderOptions, out: BinaryWriter) -> None:
        """Write the output to a stream as it is produced."""

    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        """The whole output (the same bytes ``write`` gives)."""
        buffer = io.BytesIO()
        self.write(assessment, options, buffer)
        return buffer.getvalue()
