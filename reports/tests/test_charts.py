"""The shared SVG chart module (povalleviation.charts): one implementation for the funds pages and the report."""
import re

from povalleviation.charts import PALETTE, bar_chart


def test_grouped_bars_scale_to_a_nice_maximum_and_skip_missing_values():
    svg = bar_chart(["太和村", "勐炳村"], [("计划", [40, None]), ("实际", [30, 10])], title="计划与实际（户）")
    bars = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="(#\w+)"/>', svg)[:-2]  # legend
    # Three bars (the missing plan value draws none); 40 reaches the top of a 0–50 axis.
    assert [fill for _, _, fill in bars] == [PALETTE[0], PALETTE[1], PALETTE[1]]
    heights = [float(height) for _, height, _ in bars]
    assert heights[0] == 188 * 40 / 50 and heights[1] == 188 * 30 / 50 and heights[2] == 188 * 10 / 50
    assert ">50<" in svg and "计划与实际（户）" in svg and "stroke-dasharray" not in svg


def test_percent_axis_with_a_target_line_and_escaped_text():
    svg = bar_chart(["<本级>"], [("支出进度", [62.5])], title="进度 & 目标", percent=True, target=80, target_label="目标")
    assert "&lt;本级&gt;" in svg and "进度 &amp; 目标" in svg and "<本级>" not in svg
    assert "stroke-dasharray" in svg and ">100%<" in svg and ">目标<" in svg
