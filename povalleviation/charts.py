"""Server-side SVG bar charts shared by every page and report (no JavaScript; WeasyPrint draws inline SVG).

Two shapes, one module:

* ``horizontal_bar_chart(chart_id=…, title=…, description=…, bars=[Bar(…)], …)`` — values against targets,
  one row per item, for web pages (funds dashboard). Geometry is in percentages of the drawing's width, so
  the SVG fills its container at any width (a 390 px phone or a desktop) while text keeps its pixel size:
  each row puts its label on the left and the value (and target) on the right of one line, and the bar below.
  Accessible: ``role="img"`` with ``<title>`` and ``<desc>`` (aria-labelledby), one ``<title>`` per bar,
  colour never the only signal (a bar below its target also gets "▼" in its value text).
* ``bar_chart(categories, series, …)`` — grouped vertical bars with a value axis, an optional dashed target
  line and a legend, in SVG user units scaled to the page width (the quarterly report PDF).

Text is always escaped.
"""
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 46
LABEL_BASELINE = 17
BAR_TOP = 24
BAR_HEIGHT = 14
TOP_PADDING = 4
LEGEND_HEIGHT = 26
COLOURS = {"bar": "#0b5cad", "flagged": "#b3261e", "track": "#eaeef2", "target": "#1f2328", "text": "#1f2328",
           "muted": "#656d76"}


@dataclass(frozen=True)
class Bar:
    """One row: ``value`` and ``target`` on the chart's scale (e.g. fractions 0–1); texts as shown."""

    label: str
    value: Decimal | None
    value_text: str
    target: Decimal | None = None
    target_text: str = ""
    is_flagged: bool = False


def _position(value, scale_max) -> str:
    """A percentage of the width, clamped to 0–100, as SVG attribute text."""
    share = Decimal(value) / Decimal(scale_max) * 100 if scale_max else Decimal(0)
    return f"{max(Decimal(0), min(Decimal(100), share)).quantize(Decimal('0.01'))}%"


def _common_target(bars):
    targets = {bar.target for bar in bars}
    return targets.pop() if len(targets) == 1 and None not in targets else None


def _bar_row(index, bar, scale_max, target_label):
    top = TOP_PADDING + index * ROW_HEIGHT
    flagged_mark = " ▼" if bar.is_flagged else ""
    target_part = f"（{target_label} {bar.target_text}）" if bar.target is not None and bar.target_text else ""
    summary = f"{bar.label}：{bar.value_text}{target_part}{'，低于目标' if bar.is_flagged else ''}"
    parts = [
        format_html('<g class="chart-row"><title>{}</title>', summary),
        format_html('<text x="0" y="{}" font-size="14" fill="{}">{}</text>', top + LABEL_BASELINE, COLOURS["text"],
                    bar.label),
        format_html('<text x="100%" y="{}" font-size="14" text-anchor="end" fill="{}" font-weight="{}">{}{}</text>',
                    top + LABEL_BASELINE, COLOURS["flagged"] if bar.is_flagged else COLOURS["text"],
                    "bold" if bar.is_flagged else "normal", bar.value_text, flagged_mark),
        format_html('<rect x="0" y="{}" width="100%" height="{}" rx="3" fill="{}"/>', top + BAR_TOP, BAR_HEIGHT,
                    COLOURS["track"]),
    ]
    if bar.value is not None:
        parts.append(format_html('<rect x="0" y="{}" width="{}" height="{}" rx="3" fill="{}"/>', top + BAR_TOP,
                                 _position(bar.value, scale_max), BAR_HEIGHT,
                                 COLOURS["flagged"] if bar.is_flagged else COLOURS["bar"]))
    if bar.target is not None:
        x = _position(bar.target, scale_max)
        parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3"/>', x, x,
                                 top + BAR_TOP - 4, top + BAR_TOP + BAR_HEIGHT + 4, COLOURS["target"]))
    parts.append(mark_safe("</g>"))
    return "".join(parts)


def _legend(y, value_label, target_label, has_target, has_flagged):
    """Keys for what the chart shows: the bar, the flagged bar (only if any), the target mark (only if any)."""
    parts = [format_html('<rect x="0" y="{}" width="14" height="10" fill="{}"/>', y + 3, COLOURS["bar"]),
             format_html('<text x="20" y="{}" font-size="13" fill="{}">{}</text>', y + 12, COLOURS["muted"], value_label)]
    x = 100
    if has_flagged:
        parts += [format_html('<rect x="{}" y="{}" width="14" height="10" fill="{}"/>', x, y + 3, COLOURS["flagged"]),
                  format_html('<text x="{}" y="{}" font-size="13" fill="{}">低于目标 ▼</text>', x + 20, y + 12,
                              COLOURS["muted"])]
        x += 115
    if has_target:
        parts += [format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3"/>', x, x, y, y + 14,
                              COLOURS["target"]),
                  format_html('<text x="{}" y="{}" font-size="13" fill="{}">{}</text>', x + 8, y + 12, COLOURS["muted"],
                              target_label)]
    return "".join(parts)


def horizontal_bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar], scale_max=None,
                         value_label: str = "数值", target_label: str = "目标", empty_text: str = "暂无数据") -> SafeString:
    """An accessible SVG bar chart (values against targets) as safe HTML.

    ``scale_max`` defaults to the largest value or target, and at least 1 (100 % for fractions).
    """
    values = [bar.value for bar in bars if bar.value is not None] + [bar.target for bar in bars if bar.target is not None]
    scale_max = Decimal(scale_max if scale_max is not None else max([Decimal(1), *values]))
    common_target = _common_target(bars)
    rows_height = TOP_PADDING + max(len(bars), 1) * ROW_HEIGHT
    height = rows_height + LEGEND_HEIGHT
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        format_html('<svg id="{}" class="chart" role="img" aria-labelledby="{} {}" width="100%" height="{}" '
                    'xmlns="http://www.w3.org/2000/svg" style="display:block;overflow:visible" '
                    'font-family="system-ui, -apple-system, \'PingFang SC\', \'Noto Sans CJK SC\', sans-serif">',
                    chart_id, title_id, desc_id, height),
        format_html('<title id="{}">{}</title><desc id="{}">{}</desc>', title_id, title, desc_id, description),
    ]
    if not bars:
        parts.append(format_html('<text x="0" y="24" font-size="14" fill="{}">{}</text>', COLOURS["muted"], empty_text))
    for index, bar in enumerate(bars):
        parts.append(_bar_row(index, bar, scale_max, target_label))
    has_target = any(bar.target is not None for bar in bars)
    legend_target = f"{target_label} {bars[0].target_text}" if common_target is not None else target_label
    parts.append(_legend(rows_height + 4, value_label, legend_target, has_target, any(bar.is_flagged for bar in bars)))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))


# Grouped vertical bars (reports).
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


__all__ = ["COLOURS", "PALETTE", "Bar", "bar_chart", "horizontal_bar_chart"]
