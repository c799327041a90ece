"""Formatting of fractions as percentages for the fund pages."""
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value):
    """0.35714 → "35.71 %"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))} %"


@register.filter
def bar_width(value):
    """A bar length 0–100 for a fraction."""
    if value is None:
        return 0
    return max(0, min(100, int(Decimal(value) * 100)))


@register.simple_tag
def ratio_chart(rows, chart_id, subject, area, year, as_of):
    """The dashboard's rows (``spend_summary``) as an SVG bar chart of 支出进度 against each row's target."""
    from povalleviation.charts import Bar, horizontal_bar_chart

    title = f"{area.name} {year} 年{subject}支出进度（截至 {as_of:%Y-%m-%d}）"
    flagged = [row["label"] for row in rows if row["below_target"]]
    description = (f"每行一条横条：支出进度 = 已支出 ÷ 下达；竖线为目标。共 {len(rows)} 行"
                   + (f"，低于目标：{'、'.join(flagged)}。" if flagged else "，没有未达目标的行。"))
    bars = [Bar(label=row["label"], value=row["ratio"], value_text=percent(row["ratio"]), target=row["target"],
                target_text=percent(row["target"]) if row["target"] is not None else "", is_flagged=row["below_target"])
            for row in rows]
    return horizontal_bar_chart(chart_id=chart_id, title=title, description=description, bars=bars,
                                value_label="支出进度", target_label="目标", empty_text="暂无资金")
