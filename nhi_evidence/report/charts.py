"""Chart geometry for the report's inline SVG (drawn by ``templates/report/_charts.html.j2``).

Charts are plain inline SVG written by the templates from the numbers computed here: no
JavaScript, no fonts or images to fetch, legible in print and in a browser, and escaped like the
rest of the page. Two charts: control status per framework as stacked bars with the coverage
figure, and a heat map of status counts (CSF functions x status) beside one tile per control for
the flat OWASP lists. Colours come in pairs of hue and lightness so that the statuses stay
distinguishable in greyscale print; every cell also carries its number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from nhi_evidence.model import Assessment, ControlStatus

#: Status order in charts and legends.
STATUSES = (
    ControlStatus.SATISFIED,
    ControlStatus.NOT_SATISFIED,
    ControlStatus.NOT_ASSESSED,
    ControlStatus.NOT_APPLICABLE,
)

#: Fill colour per status (kept in step with report.css).
COLORS = {
    ControlStatus.SATISFIED: "#2f6f4e",
    ControlStatus.NOT_SATISFIED: "#a3332b",
    ControlStatus.NOT_ASSESSED: "#8c96a3",
    ControlStatus.NOT_APPLICABLE: "#d5dae1",
}

#: A symbol per status, so that tiles read in greyscale print too.
SYMBOLS = {
    ControlStatus.SATISFIED: "✓",
    ControlStatus.NOT_SATISFIED: "✗",
    ControlStatus.NOT_ASSESSED: "?",
    ControlStatus.NOT_APPLICABLE: "–",
}

LABELS = {
    ControlStatus.SATISFIED: "Satisfied",
    ControlStatus.NOT_SATISFIED: "Not satisfied",
    ControlStatus.NOT_ASSESSED: "Not assessed",
    ControlStatus.NOT_APPLICABLE: "Not applicable",
}


def legend() -> list[dict[str, str]]:
    """Status legend entries (label, colour)."""
    return [{"status": s.value, "label": LABELS[s], "color": COLORS[s], "symbol": SYMBOLS[s]} for s in STATUSES]


def coverage_chart(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stacked bars of control status per framework, with the coverage figure at the end of each bar."""
    label_w, bar_w, row_h, bar_h, top = 170.0, 330.0, 30.0, 16.0, 6.0
    bars: list[dict[str, Any]] = []
    for index, summary in enumerate(summaries):
        total = max(1, int(summary["total"]))
        y = top + index * row_h
        x = label_w
        segments: list[dict[str, Any]] = []
        for status, key in zip(STATUSES, ("satisfied", "not_satisfied", "not_assessed", "not_applicable"), strict=True):
            count = int(summary[key])
            if not count:
                continue
            w = bar_w * count / total
            segments.append(
                {
                    "x": round(x, 2),
                    "w": round(w, 2),
                    "color": COLORS[status],
                    "count": count,
                    "label": LABELS[status],
                    "text_x": round(x + w / 2, 2),
                    "show_text": w >= 18,
                    "dark": status in (ControlStatus.NOT_APPLICABLE,),
                }
            )
            x += w
        bars.append(
            {
                "label": summary["short"],
                "y": round(y, 2),
                "text_y": round(y + bar_h / 2 + 4, 2),
                "segments": segments,
                "coverage_pct": summary["coverage_pct"],
                "total": summary["total"],
            }
        )
    height = top + max(1, len(bars)) * row_h + 4
    return {
        "width": label_w + bar_w + 90,
        "height": round(height, 2),
        "bar_h": bar_h,
        "label_w": label_w,
        "bar_end": label_w + bar_w + 8,
        "bars": bars,
        "legend": legend(),
    }


def _shade(count: int, total: int) -> float:
    """Opacity of a heat-map cell: light for few, full for many (never invisible when non-zero)."""
    if not count or not total:
        return 0.0
    return round(0.25 + 0.75 * count / total, 3)


def _root(group: str, parent: Mapping[str, str]) -> str:
    """The top-level group (CSF function) of a group; depth-capped against a cyclic catalog."""
    for _ in range(10):
        if not parent.get(group):
            break
        group = parent[group]
    return group


def heatmaps(assessment: Assessment) -> list[dict[str, Any]]:
    """One heat map per framework: a function x status grid for grouped catalogs, tiles for flat lists."""
    by_framework: dict[str, dict[str, ControlStatus]] = {}
    for result in assessment.control_results:
        by_framework.setdefault(result.framework, {})[result.control_id] = result.status
    out: list[dict[str, Any]] = []
    for framework in assessment.frameworks:
        statuses = by_framework.get(framework.id, {})
        top_groups = [g for g in framework.groups if not g.parent]
        if top_groups:
            parent = {g.id: g.parent for g in framework.groups}

            counts: dict[str, Counter[ControlStatus]] = {g.id: Counter() for g in top_groups}
            for control in framework.controls:
                status = statuses.get(control.id)
                function = _root(control.group, parent)
                if status is not None and function in counts:
                    counts[function][status] += 1
            label_w, cell_w, cell_h = 120.0, 84.0, 24.0
            rows: list[dict[str, Any]] = []
            for index, group in enumerate(top_groups):
                total = sum(counts[group.id].values())
                cells = []
                for col, status in enumerate(STATUSES):
                    n = counts[group.id][status]
                    opacity = _shade(n, total)
                    cells.append(
                        {
                            "x": label_w + col * cell_w,
                            "count": n,
                            "color": COLORS[status],
                            "opacity": opacity,
                            "light_text": opacity >= 0.6 and status is not ControlStatus.NOT_APPLICABLE,
                        }
                    )
                rows.append(
                    {"id": group.id, "title": group.title, "y": 22 + index * cell_h, "cells": cells, "total": total}
                )
            out.append(
                {
                    "kind": "grid",
                    "framework": framework.id,
                    "title": framework.title + " " + framework.version,
                    "width": label_w + cell_w * len(STATUSES) + 46,
                    "height": 22 + len(rows) * cell_h + 4,
                    "label_w": label_w,
                    "cell_w": cell_w,
                    "cell_h": cell_h,
                    "columns": [
                        {"label": LABELS[s], "x": label_w + i * cell_w + cell_w / 2} for i, s in enumerate(STATUSES)
                    ],
                    "rows": rows,
                }
            )
        else:
            tile_w, tile_h, gap = 46.0, 34.0, 4.0
            tiles = []
            for index, control in enumerate(framework.controls):
                status = statuses.get(control.id, ControlStatus.NOT_ASSESSED)
                tiles.append(
                    {
                        "id": control.id,
                        "x": index * (tile_w + gap),
                        "color": COLORS[status],
                        "status": LABELS[status],
                        "symbol": SYMBOLS[status],
                        "light_text": status is not ControlStatus.NOT_APPLICABLE,
                    }
                )
            out.append(
                {
                    "kind": "tiles",
                    "framework": framework.id,
                    "title": framework.title + " " + framework.version,
                    "width": max(1, len(tiles)) * (tile_w + gap),
                    "height": tile_h + 2,
                    "tile_w": tile_w,
                    "tile_h": tile_h,
                    "tiles": tiles,
                }
            )
    return out
