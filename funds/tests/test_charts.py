"""The generic SVG bar chart: accessible names, geometry in percentages, escaping, flags and targets."""
from decimal import Decimal

import lxml.etree

from povalleviation.charts import COLOURS, Bar, horizontal_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def chart(bars, **extra):
    svg = str(horizontal_bar_chart(chart_id="c1", title="支出进度 <按来源>", description="竖线为目标", bars=bars, **extra))
    return svg, lxml.etree.fromstring(svg.encode())


def test_accessible_name_and_description_and_escaping():
    svg, root = chart([Bar(label="<script>x</script>", value=Decimal("0.25"), value_text="25.00 %")])
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "支出进度 <按来源>" and root.find(f"{SVG}desc").text == "竖线为目标"
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_bars_and_targets_are_percentages_of_the_width_and_flags_are_not_colour_only():
    _, root = chart([Bar(label="中央", value=Decimal("0.25"), value_text="25.00 %", target=Decimal("0.4"), target_text="40.00 %",
                         is_flagged=True),
                     Bar(label="省级", value=None, value_text="—", target=Decimal("0.4"), target_text="40.00 %")])
    rows = root.findall(f"{SVG}g")
    first_rects = rows[0].findall(f"{SVG}rect")
    assert [r.get("width") for r in first_rects] == ["100%", "25.00%"] and first_rects[1].get("fill") == COLOURS["flagged"]
    assert rows[0].find(f"{SVG}line").get("x1") == "40.00%"
    assert rows[0].find(f"{SVG}title").text == "中央：25.00 %（目标 40.00 %），低于目标"
    assert rows[0].findall(f"{SVG}text")[1].text == "25.00 % ▼"
    assert len(rows[1].findall(f"{SVG}rect")) == 1  # no value, only the track
    legend = [t.text for t in root.findall(f"{SVG}text")][-3:]
    assert legend == ["数值", "低于目标 ▼", "目标 40.00 %"]


def test_scale_grows_past_one_and_clamps():
    _, root = chart([Bar(label="甲", value=Decimal("2"), value_text="200 %"), Bar(label="乙", value=Decimal("1"), value_text="100 %")])
    widths = [g.findall(f"{SVG}rect")[1].get("width") for g in root.findall(f"{SVG}g")]
    assert widths == ["100.00%", "50.00%"]
    _, fixed = chart([Bar(label="甲", value=Decimal("2"), value_text="200 %")], scale_max=1)
    assert fixed.find(f"{SVG}g").findall(f"{SVG}rect")[1].get("width") == "100.00%"


def test_empty_chart_says_so():
    svg, _ = chart([], empty_text="暂无资金")
    assert "暂无资金" in svg
