"""A measure's trajectory chart as inline SVG (prints as it shows, and needs no script):
the observed values with their 95% band, the planned trajectory from the baseline to the
target, the target and milestones, and the projection to the due period with its interval.

Text from partners (titles, units, periods) is escaped; colours are attributes, not
``style`` (the report's Content-Security-Policy allows no inline style attributes).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 36, 16, 52
OBSERVED, BAND, PLAN, TARGET, PROJECTED = "#1f4e79", "#c9d9ea", "#6b6b6b", "#b00020", "#8a5a00"


def trajectory_svg(risks: dict[str, Any], title: str) -> str:
    """The chart of one assessed measure (``risks`` as :func:`app.framework.risks.assess`
    gives it); an empty string when there is no series to draw."""
    series = risks.get("series")
    if not series or not series["periods"]:
        return ""
    periods = list(series["periods"])
    plan = risks.get("trajectory") or {}
    target = risks.get("target")
    future = risks.get("future") or {}
    labels = periods + [p for p in plan.get("periods", []) if p not in periods]
    x_of = {p: i for i, p in enumerate(labels)}
    ys = [v for k in ("value", "lower", "upper") for v in series[k] if v is not None]
    ys += [v for v in plan.get("values", []) if v is not None]
    for k in ("value", "lower", "upper"):
        if future.get(k) is not None:
            ys.append(future[k])
    if target:
        ys.append(target["value"])
    ys += [m["value"] for m in risks.get("milestones") or []]
    if not ys:
        return ""
    low, high = _nice_range(min(ys), max(ys))
    n = max(len(labels) - 1, 1)

    def x(i: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * i / n

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)}: trajectory chart">',
        f"<title>{escape(title)}</title>",
    ]
    parts += _axes(labels, low, high, x, y, risks.get("unit", ""))
    band = [(i, lo, hi) for i, (lo, hi) in enumerate(zip(series["lower"], series["upper"],
            strict=True)) if lo is not None and hi is not None]  # fmt: skip
    if band:
        top = " ".join(f"{x(i):.1f},{y(hi):.1f}" for i, _, hi in band)
        bottom = " ".join(f"{x(i):.1f},{y(lo):.1f}" for i, lo, _ in reversed(band))
        parts.append(f'<polygon points="{top} {bottom}" fill="{BAND}" opacity="0.7"/>')
    planned = [(x_of[p], v) for p, v in zip(plan.get("periods", []), plan.get("values", []),
               strict=False) if v is not None and p in x_of]  # fmt: skip
    if planned:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in planned)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PLAN}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
    seen = [(i, v) for i, v in enumerate(series["value"]) if v is not None]
    if seen:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in seen)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{OBSERVED}" stroke-width="2"/>'
        )
        parts += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{OBSERVED}"/>'
                  for i, v in seen]  # fmt: skip
    if target and target["due_period"] in x_of:
        tx, ty = x(x_of[target["due_period"]]), y(target["value"])
        parts.append(
            f'<path d="M{tx - 6:.1f},{ty:.1f} L{tx:.1f},{ty - 6:.1f} L{tx + 6:.1f},{ty:.1f} '
            f'L{tx:.1f},{ty + 6:.1f} Z" fill="{TARGET}"><title>Target '
            f"{escape(str(target['value']))} by {escape(target['due_period'])}</title></path>"
        )
        if future.get("value") is not None and seen:
            lx, ly = x(seen[-1][0]), y(seen[-1][1])
            parts.append(
                f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{tx:.1f}" y2="{y(future["value"]):.1f}" '
                f'stroke="{PROJECTED}" stroke-width="1.5" stroke-dasharray="2 3"/>'
            )
            if future.get("lower") is not None and future.get("upper") is not None:
                parts.append(
                    f'<line x1="{tx:.1f}" y1="{y(future["lower"]):.1f}" x2="{tx:.1f}" '
                    f'y2="{y(future["upper"]):.1f}" stroke="{PROJECTED}" stroke-width="3" '
                    'opacity="0.6"/>'
                )
    for m in risks.get("milestones") or []:
        if m["due_period"] in x_of:
            mx, my = x(x_of[m["due_period"]]), y(m["value"])
            parts.append(
                f'<rect x="{mx - 4:.1f}" y="{my - 4:.1f}" width="8" height="8" fill="none" '
                f'stroke="{TARGET}" stroke-width="1.5"><title>Milestone '
                f"{escape(str(m['value']))} by {escape(m['due_period'])}: "
                f"{escape(m['status'])}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _axes(labels: list[str], low: float, high: float, x: Any, y: Any, unit: str) -> list[str]:
    parts = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
    ]
    for v in _ticks(low, high):
        parts.append(
            f'<line x1="{LEFT - 4}" y1="{y(v):.1f}" x2="{WIDTH - RIGHT}" y2="{y(v):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#333">{v:,.4g}</text>'
        )
    step = max(1, math.ceil(len(labels) / 6))
    for i in range(0, len(labels), step):
        label = labels[i].split(" to ")[-1]
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 8}" font-size="11" '
        'text-anchor="middle" fill="#333">Period</text>'
    )
    parts.append(
        f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2:.0f}" font-size="11" '
        f'text-anchor="middle" fill="#333" transform="rotate(-90 12 '
        f'{(TOP + HEIGHT - BOTTOM) / 2:.0f})">{escape(unit.strip() or "value")}</text>'
    )
    return parts


def _nice_range(low: float, high: float) -> tuple[float, float]:
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    bottom = 0.0 if low >= 0 and low - pad < 0 else low - pad
    return bottom, high + pad


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]
