"""Small server-side SVG charts for the report PDF (WeasyPrint draws inline SVG; no JavaScript).

``bar_chart(categories, series, …)`` draws grouped vertical bars with a value axis, optional dashed target
line and a legend. Text is escaped; sizes are in SVG user units (the template scales the chart to the width).
"""
from decimal import Decimal
from html import escape

PALETTE = ["#1f5fa8", "#e07b24", "#3c9a5f", "#b23a48"]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value) -> float:
    if value is None or value == "":
        return 0.0
    return float(Decimal(str(value)))


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"
    return f"{value:,.0f}" if value >= 1 or value == 0 else f"{value:.2f}"


def bar_chart(categories: list[str], series: list[tuple[str, list]], *, title: str = "", target=None,
              target_label: str = "目标", percent: bool = False, width: int = 720, height: int = 300) -> str:
    """Grouped bars: ``series`` is [(name, values)], one value per category (None → no bar)."""
    left, right, top, bottom = 56, 12, 34 if title else 14, 78
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_number(v) for _, vals in series for v in vals]
    maximum = _nice_max(max(values + [_number(target) if target is not None else 0, 0]))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
             f'aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif" font-size="11">']
    if title:
        parts.append(f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>')
    for tick in range(5):
        value = maximum * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_label(value, percent)}</text>')
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(group_w * 0.8 / max(len(series), 1), 28)
    for index, category in enumerate(categories):
        x0 = left + group_w * index + (group_w - bar_w * len(series)) / 2
        for number, (_, vals) in enumerate(series):
            raw = vals[index] if index < len(vals) else None
            if raw is None:
                continue
            value = _number(raw)
            bar_h = plot_h * min(value, maximum) / maximum
            x = x0 + bar_w * number
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w - 1:.1f}" height="{bar_h:.1f}" '
                         f'fill="{PALETTE[number % len(PALETTE)]}"/>')
        cx = left + group_w * index + group_w / 2
        parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 12}" text-anchor="end" '
                     f'transform="rotate(-35 {cx:.1f} {top + plot_h + 12})">{escape(category)}</text>')
    if target is not None:
        y = top + plot_h - plot_h * min(_number(target), maximum) / maximum
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#b23a48" '
                     f'stroke-width="1.5" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{width - right}" y="{y - 4:.1f}" text-anchor="end" fill="#b23a48">{escape(target_label)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#333"/>')
    legend_x = left
    for number, (name, _) in enumerate(series):
        parts.append(f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{PALETTE[number % len(PALETTE)]}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 5}">{escape(name)}</text>')
        legend_x += 24 + 12 * len(name)
    parts.append("</svg>")
    return "".join(parts)
