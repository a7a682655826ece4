"""Coverage per framework across several packs, in period order: a text table and an HTML page with an SVG chart.

Periods sort by their meaning when they follow a usual form (``2026-Q4``, ``2026-H2``, ``2026-11``,
``2026``), then by creation time. The chart is plain inline SVG written here (no scripts, no
external resources), so the page is self-contained and the same packs give the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from nhi_evidence.diff.compare import Counts
from nhi_evidence.diff.inputs import Snapshot, load_snapshot
from nhi_evidence.model import ControlStatus
from nhi_evidence.textsafe import printable

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<q>[Qq][1-4])|(?P<h>[Hh][12])|(?P<m>\d{2})))?$")
#: Line colours (colour-blind safe palette, Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def period_key(snapshot: Snapshot) -> tuple[int, int, str, str]:
    """Sort key: (year, month the period ends, created time, label); unknown forms sort last by time."""
    match = _PERIOD.match(snapshot.period.strip())
    if not match:
        return (9999, 99, snapshot.created_at, snapshot.label)
    year = int(match["year"])
    if match["q"]:
        month = int(match["q"][1]) * 3
    elif match["h"]:
        month = int(match["h"][1]) * 6
    elif match["m"]:
        month = int(match["m"])
    else:
        month = 12
    return (year, month, snapshot.created_at, snapshot.label)


@dataclass(frozen=True)
class TrendPoint:
    """One framework in one pack."""

    period: str
    """Period label (or the pack label)."""
    coverage: float
    """Share of applicable controls assessed (0..1)."""
    counts: Counts
    """Status counts."""


@dataclass(frozen=True)
class Trend:
    """Coverage per framework across packs."""

    periods: tuple[str, ...]
    """Period labels in order."""
    series: dict[str, tuple[TrendPoint | None, ...]]
    """Framework id -> one point per period (None when the framework is absent from that pack)."""
    titles: dict[str, str]
    """Framework id -> title."""


def build_trend(paths: list[Path]) -> Trend:
    """Read the packs and compute the trend (raises InputError for an unreadable pack)."""
    snaps = sorted((load_snapshot(p) for p in paths), key=period_key)
    periods = tuple(s.period or s.label for s in snaps)
    titles: dict[str, str] = {}
    for snap in snaps:
        for fid, title in snap.frameworks.items():
            titles.setdefault(fid, title)
    series: dict[str, tuple[TrendPoint | None, ...]] = {}
    for fid in titles:
        points: list[TrendPoint | None] = []
        for snap, period in zip(snaps, periods, strict=True):
            statuses = [state.status for (fw, _), state in snap.controls.items() if fw == fid]
            if not statuses:
                points.append(None)
                continue
            counts = Counts(
                statuses.count(ControlStatus.SATISFIED.value),
                statuses.count(ControlStatus.NOT_SATISFIED.value),
                statuses.count(ControlStatus.NOT_ASSESSED.value),
                statuses.count(ControlStatus.NOT_APPLICABLE.value),
            )
            points.append(TrendPoint(period, round(counts.coverage, 4), counts))
        series[fid] = tuple(points)
    return Trend(periods, series, titles)


def _cell(point: TrendPoint | None) -> str:
    if point is None:
        return "-"
    assessed = point.counts.satisfied + point.counts.not_satisfied
    return f"{point.coverage * 100:.1f}% ({point.counts.satisfied}/{assessed} sat.)"


def render_trend_text(trend: Trend) -> str:
    """A table: one row per framework, one column per period (coverage and satisfied/assessed)."""
    header = ["framework", *trend.periods]
    rows = [[fid, *(_cell(p) for p in points)] for fid, points in trend.series.items()]
    widths = [max(len(printable(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(printable(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "Coverage per framework (assessed share of applicable controls):\n" + "\n".join(lines) + "\n"


def render_svg(trend: Trend, width: int = 720, height: int = 320) -> str:
    """An SVG line chart of coverage (0-100 %) per framework across periods."""
    e = html.escape
    left, right, top, bottom = 56, 24, 20, 96
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(trend.periods)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="trend-title" style="max-width:100%;height:auto">',
        '<title id="trend-title">Control coverage per framework by period</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#ccd"/>',
    ]
    for tick in range(0, 101, 25):
        ty = y(tick / 100)
        out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" font-size="11" text-anchor="end">{tick}%</text>')
    for i, period in enumerate(trend.periods):
        out.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">{e(period)}</text>'
        )
    for index, (fid, points) in enumerate(trend.series.items()):
        colour = PALETTE[index % len(PALETTE)]
        coords = [(x(i), y(p.coverage), p) for i, p in enumerate(points) if p is not None]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _ in coords)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for cx, cy, point in coords:
            out.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"><title>{e(trend.titles[fid])} '
                f"{e(point.period)}: {point.coverage * 100:.1f}%</title></circle>"
            )
        ly = top + plot_h + 34 + 16 * index
        out.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{left + 18}" y="{ly + 1}" font-size="12">{e(trend.titles[fid])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def render_trend_html(trend: Trend) -> str:
    """A standalone HTML page with the chart and the table."""
    e = html.escape
    height = 320 + 16 * max(0, len(trend.series) - 3)
    rows = "\n".join(
        f"<tr><td>{e(trend.titles[fid])}</td>" + "".join(f"<td>{e(_cell(p))}</td>" for p in points) + "</tr>"
        for fid, points in trend.series.items()
    )
    head = "".join(f"<th>{e(p)}</th>" for p in trend.periods)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>nhi-evidence coverage trend</title>\n'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.25rem .5rem}</style></head><body>\n"
        "<h1>Control coverage by period</h1>\n"
        f"{render_svg(trend, height=height)}\n"
        f"<table><tr><th>Framework</th>{head}</tr>\n{rows}\n</table>\n</body></html>\n"
    )
