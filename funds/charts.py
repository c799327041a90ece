"""Server-side SVG charts, generic enough for any page or report that shows values against targets.

A horizontal bar chart whose geometry is in percentages of the drawing's width, so the SVG fills its
container at any width (a 390 px phone or a desktop) while the text keeps its size in pixels: each row puts
its label on the left and the value (and target) on the right of one line, and the bar below. Accessible:
``role="img"`` with ``<title>`` and ``<desc>`` (aria-labelledby), one ``<title>`` per bar, colour never the
only signal (a bar below its target also gets "▼" in its value text). The tables stay next to the charts.
"""
from dataclasses import dataclass
from decimal import Decimal

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


__all__ = ["Bar", "horizontal_bar_chart"]
