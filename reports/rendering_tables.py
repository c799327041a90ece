"""Tables of sections 10–12 (两不愁三保障, 帮扶力量, 数据质量) built from the snapshot for the PDF template,
in the same {title, headers, rows, note} shape as the oversight tables. A snapshot made before a section
existed yields a note instead of a table."""
from .cells import cell


def _child(snapshot: dict) -> str:
    return snapshot.get("meta", {}).get("child_level_label", "区域")


def _pct(value):
    return None if value is None else f"{value}%"


def conditions_tables(snapshot: dict) -> list[dict]:
    section = snapshot.get("conditions")
    if not section:
        return [{"title": "", "headers": [], "rows": [], "note": "本版本数据快照未包含此部分。"}]
    unexited, exited = section["unexited"], section["exited"]
    u, e = unexited["total"], exited["total"]
    rows = [[cell(label, False), cell(u[f"{key}_households"]), cell(u[f"{key}_persons"]),
             cell(e[f"{key}_households"]), cell(e[f"{key}_persons"])] for key, label in section["criteria"].items()]
    rows.append([cell("至少一项未达标（户）", False), cell(u["any_failed"]), cell(None), cell(e["any_failed"]), cell(None)])
    rows.append([cell("无评估记录（户）", False), cell(u["not_assessed"]), cell(None), cell(e["not_assessed"]), cell(None)])
    rows.append([cell("户数合计", False), cell(u["households"]), cell(u["persons"]), cell(e["households"]), cell(e["persons"])])
    by_child = [[cell(a["name"], False), cell(a["households"]), cell(a["assessed"]), cell(a["any_failed"]),
                 cell(b["households"]), cell(b["assessed"]), cell(b["any_failed"])]
                for a, b in zip(unexited["rows"], exited["rows"], strict=True)]
    return [
        {"title": "（一）各项未达标户数与人数", "headers": ["指标", "未脱贫户（户）", "未脱贫户（人）", "已脱贫户（户）", "已脱贫户（人）"],
         "rows": rows},
        {"title": "（二）分区域评估与未达标户数", "headers": [_child(snapshot), "未脱贫户", "已评估", "有未达标项", "已脱贫户", "已评估", "有未达标项"],
         "rows": by_child},
    ]


def helpers_tables(snapshot: dict) -> list[dict]:
    section = snapshot.get("helpers")
    if not section:
        return [{"title": "", "headers": [], "rows": [], "note": "本版本数据快照未包含此部分。"}]

    def row(label, r):
        return [cell(label, False), cell(r["households"]), cell(r["covered"]), cell(_pct(r["coverage"])),
                cell(r["required"]), cell(r["done"]), cell(_pct(r["visit_rate"])), cell(r["visits"])]

    return [{"title": "", "headers": [_child(snapshot), "未脱贫户", "有帮扶责任人", "覆盖率", "应走访（户次）", "已走访（户次）", "走访完成率",
                                      "本季度走访记录"],
             "rows": [row(r["name"], r) for r in section["rows"]] + [row("合计", section["total"])]}]


def quality_tables(snapshot: dict) -> list[dict]:
    section = snapshot.get("quality")
    if not section:
        return [{"title": "", "headers": [], "rows": [], "note": "本版本数据快照未包含此部分。"}]
    total = section["total"]
    return [
        {"title": "（一）按检查项", "headers": ["检查项", "问题数"],
         "rows": [[cell(item["check"], False), cell(item["count"])] for item in section["checks"]]},
        {"title": f"（二）按{_child(snapshot)}（各村见附表2）", "headers": [_child(snapshot), "户数", "有问题的户", "问题数"],
         "rows": [[cell(r["name"], False), cell(r["households"]), cell(r["with_warnings"]), cell(r["warnings"])]
                  for r in section.get("child_rows", [])]
         + [[cell("合计", False), cell(total["households"]), cell(total["with_warnings"]), cell(total["warnings"])]]},
    ]


def quality_by_village(snapshot: dict) -> dict:
    """village code → its 数据质量 row, for the columns of appendix 2."""
    return {row["code"]: row for row in (snapshot.get("quality") or {}).get("rows", [])}
