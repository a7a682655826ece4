"""The renderer extension point: an Assessment in, bytes (or a set of files) out.

Adding an output format: a module with a ``Renderer`` subclass, and a member of ``OutputFormat`` in
``renderers/__init__.py`` whose ``renderer()`` match ends in ``assert_never``, so a forgotten branch is
a type error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nhi_evidence.model import Assessment


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

    @abstractmethod
    def render(self, assessment: Assessment, options: RenderOptions) -> bytes:
        """The rendered output."""

    def render_files(self, assessment: Assessment, options: RenderOptions) -> dict[str, bytes]:
        """Folder renderers: relative file name -> content. Single-file renderers give one entry."""
        return {f"assessment.{self.extension}": self.render(assessment, options)}
