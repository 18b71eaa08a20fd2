"""Tiny dependency-free SVG charts for the evaluation report (the pinned
environment has no plotting library, and a few polylines need none)."""

from __future__ import annotations

from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
W, H, PAD = 640, 380, 48
RIGHT = 500  # plot area right edge; the legend sits beyond it
TOP, BOTTOM = 34, 380 - 64  # plot area, y pixels


def _frame(title: str, xlabel: str, ylabel: str, xticks: bool = True) -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<text x="{(PAD + RIGHT) / 2}" y="{H - 8}" text-anchor="middle">{escape(xlabel)}</text>',
        f'<text x="14" y="{H / 2}" text-anchor="middle" transform="rotate(-90 14 {H / 2})">{escape(ylabel)}</text>',
        f'<rect x="{PAD}" y="{TOP}" width="{RIGHT - PAD}" height="{BOTTOM - TOP}" fill="none" stroke="#999"/>',
    ]
    for i in range(6):
        v = i / 5
        x, y = _x(v), _y(v)
        if xticks:
            out.append(f'<text x="{x:.1f}" y="{BOTTOM + 16:.1f}" text-anchor="middle">{v:.1f}</text>')
        out.append(f'<text x="{PAD - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        out.append(f'<line x1="{PAD}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
    return out


def _x(v: float) -> float:
    return PAD + v * (RIGHT - PAD)


def _y(v: float) -> float:
    return BOTTOM - v * (BOTTOM - TOP)


def line_chart(title: str, xlabel: str, ylabel: str, series: list[tuple[str, list[float], list[float]]], diagonal: bool = False) -> str:
    """series: (label, xs, ys) with values in [0, 1]."""
    out = _frame(title, xlabel, ylabel)
    if diagonal:
        out.append(f'<line x1="{_x(0):.1f}" y1="{_y(0):.1f}" x2="{_x(1):.1f}" y2="{_y(1):.1f}" stroke="#bbb" stroke-dasharray="4 3"/>')
    for k, (label, xs, ys) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{_x(min(max(a, 0), 1)):.1f},{_y(min(max(b, 0), 1)):.1f}" for a, b in zip(xs, ys))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        if diagonal:
            for a, b in zip(xs, ys):
                out.append(f'<circle cx="{_x(a):.1f}" cy="{_y(b):.1f}" r="2.5" fill="{colour}"/>')
        out.append(f'<rect x="{RIGHT + 10}" y="{TOP + 10 + 14 * k}" width="10" height="3" fill="{colour}"/>')
        out.append(f'<text x="{RIGHT + 25}" y="{TOP + 14 + 14 * k}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(title: str, ylabel: str, groups: list[str], series: list[tuple[str, list[float]]], target: float | None = None) -> str:
    """Grouped bars, values in [0, 1]; an optional dashed target line."""
    out = _frame(title, "", ylabel, xticks=False)
    n, m = len(groups), max(len(series), 1)
    span = (RIGHT - PAD) / max(n, 1)
    bw = span * 0.8 / m
    for g, name in enumerate(groups):
        x0 = PAD + g * span + span * 0.1
        for k, (_, values) in enumerate(series):
            v = values[g]
            if v != v:  # NaN: no such episodes in this set
                continue
            top = _y(v)
            out.append(f'<rect x="{x0 + k * bw:.1f}" y="{top:.1f}" width="{bw - 1:.1f}" height="{_y(0) - top:.1f}" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{x0 + span * 0.4:.1f}" y="{_y(0) + 12:.1f}" text-anchor="end" transform="rotate(-35 {x0 + span * 0.4:.1f} {_y(0) + 12:.1f})" font-size="9">{escape(name)}</text>')
    if target is not None:
        out.append(f'<line x1="{PAD}" x2="{RIGHT}" y1="{_y(target):.1f}" y2="{_y(target):.1f}" stroke="#333" stroke-dasharray="5 3"/>')
    for k, (label, _) in enumerate(series):
        out.append(f'<rect x="{RIGHT + 10}" y="{TOP + 6 + 14 * k}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{RIGHT + 25}" y="{TOP + 15 + 14 * k}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
