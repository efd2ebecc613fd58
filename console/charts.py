"""Bar charts drawn on the server as SVG: no script, no outside network, labels escaped."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(points: Sequence[tuple[str, float]], *, title: str, fmt: Callable[[float], str] = str,
              color: str = "#417690", width: int = 900, height: int = 170) -> SafeString:
    """One bar per (label, value); every 5th label and the highest value are written on the axes."""
    left, bottom, top = 56, 28, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    highest = max((value for _, value in points), default=0) or 1
    step = plot_w / max(len(points), 1)
    parts = [
        f'<svg class="console-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#666">{escape(fmt(highest))}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#666">{escape(fmt(0))}</text>',
    ]
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * (value / highest) if value > 0 else 0
        x = left + index * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="{color}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        if index % 5 == 0 or index == len(points) - 1:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                         f'fill="#666">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- numbers we computed and escaped labels
