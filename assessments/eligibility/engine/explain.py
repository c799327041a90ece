"""Plain-Chinese explanations of stored criteria: why a household (village, county) does or does not meet
the standard, with the values used and the parameter rows (and their sources) applied."""
from decimal import Decimal

from assessments.eligibility import criteria as rules
from assessments.policy.models import Comparator

STATUS_LABELS = {rules.PASS: "达标", rules.FAIL: "未达标", rules.UNKNOWN: "无法判断"}
HOUSEHOLD_LABELS = {
    rules.INCOME: "人均纯收入", rules.FOOD: "不愁吃", rules.CLOTHING: "不愁穿", rules.EDUCATION: "义务教育有保障",
    rules.MEDICAL: "基本医疗有保障", rules.HOUSING: "住房安全有保障", rules.WATER: "饮水安全有保障",
}
AREA_LABELS = {
    "INCIDENCE": "贫困发生率", "COLLECTIVE_INCOME": "村集体经济收入", "INFRASTRUCTURE": "六通（参考指标）",
    "CLINIC": "标准化卫生室（参考指标）", "POOR_VILLAGES_EXITED": "贫困村退出（参考指标）",
    "SAMPLE_CHECKS": "错退率、漏评率、群众认可度（参考指标）",
}
SYMBOLS = dict(Comparator.choices)


def _requirement(comparator, threshold, unit) -> str:
    return f"“{SYMBOLS.get(comparator, comparator)} {threshold}{unit}”"


def _income(x: dict, year: int) -> str:
    reason = x["reason"]
    if reason == "no_line":
        return "该年度脱贫标准未设置，无法判断（请县级管理员在“政策参数”中设置）。"
    if reason == "no_comparator":
        return "该年度户脱贫收入比较规则未设置，无法判断。"
    if reason == "no_income_record":
        return f"未登记 {year} 年收入，无法判断。"
    requirement = _requirement(x["comparator"], x["line"], " 元")
    if reason == "ok":
        return f"人均纯收入 {x['value']} 元，满足{requirement}（{year} 年脱贫标准）。"
    text = f"人均纯收入 {x['value']} 元，不满足{requirement}（{year} 年脱贫标准）。"
    if x["comparator"] == Comparator.GT and x["value"] is not None and Decimal(x["value"]) == Decimal(x["line"]):
        text += "收入恰好等于标准，按“超过”的要求不算达标。"
    return text


def _secure(x: dict, year: int, what: str, lacking: str) -> str:
    return {
        "ok": f"{year} 年评估：{what}。",
        "not_secure": f"{year} 年评估：{lacking}。",
        "not_assessed": f"{year} 年评估未填写此项，无法判断。",
        "no_assessment": f"未登记 {year} 年两不愁三保障评估，无法判断。",
    }[x["reason"]]


def _education(x: dict, year: int) -> str:
    band = f"{x['age_min']}–{x['age_max']} 岁"
    return {
        "no_age_band": "义务教育年龄段未设置，无法判断。",
        "dropout": f"{x['dropouts']} 名义务教育阶段（{band}）成员辍学。",
        "assessor_not_secure": f"{year} 年评估结论为义务教育没有保障。",
        "no_school_age_children": f"家中没有义务教育阶段（{band}）的成员。",
        "school_status_missing": f"{x['status_missing']} 名 {band} 成员未填写在校情况，评估也未确认有保障。",
        "ok": f"{x['school_age']} 名义务教育阶段（{band}）成员均在校。",
    }[x["reason"]]


def _self_pay(x: dict, year: int) -> str:
    """The 住院自付比例 sentence (P-HE-01), e.g. "住院自付比例 12.50%（张三：个人自付 1250 元 ÷ 住院总费用
    10000 元），高于 10% 的上限。"."""
    hospital, cap = x.get("hospital"), x.get("self_pay_cap")
    if not hospital:
        if cap is None:
            return ""
        return f"未登记 {year} 年住院费用（本年未住院也请登记），住院自付比例无法判断（上限 {cap}%）。"
    if hospital.get("ratio") is None:
        return f"已登记 {year} 年全家未住院。"
    who = hospital.get("member_name") or "自付比例最高的成员"
    basis = (f"{year} 年住院自付比例 {_percent(hospital['ratio'])}%（{who}：个人自付 {hospital['self_paid']} 元 ÷ "
             f"住院总费用 {hospital['total']} 元")
    if hospital.get("records", 0) > 1:
        basis += "，按人计算取全家最高"
    basis += "）"
    if cap is None:
        return basis + "，本地区该年度未设住院自付比例上限，仅供参考。"
    over = x["reason"] == "self_pay_over_cap"
    word = {Comparator.LTE: ("不高于", "高于"), Comparator.LT: ("低于", "不低于")}.get(x.get("self_pay_comparator"))
    if word:
        return f"{basis}，{word[1] if over else word[0]} {cap}% 的上限。"
    return f"{basis}，{'不满足' if over else '满足'}{_requirement(x.get('self_pay_comparator'), cap, '%')}。"


def _percent(text: str) -> str:
    """12.50 → 12.5, 10.00 → 10 (as people write percentages)."""
    value = Decimal(text).normalize()
    return format(value, "f")


def _medical(x: dict, year: int) -> str:
    text = {
        "no_members": f"{year} 年底没有在户成员，无法判断。",
        "uninsured_members": f"{x['uninsured']} 名成员未参加城乡居民基本医疗保险（共 {x['members']} 人）。",
        "assessor_not_insured": f"{year} 年评估结论为未全员参保。",
        "ok": f"{x['members']} 名成员均参加城乡居民基本医疗保险。",
        "no_hospital_data": f"{x['members']} 名成员均参加城乡居民基本医疗保险；",
        "self_pay_over_cap": f"{x['members']} 名成员均参加城乡居民基本医疗保险，但",
    }[x["reason"]]
    if x["reason"] in ("ok", "no_hospital_data", "self_pay_over_cap") and x.get("serious_illness_covered") is True:
        text = text.replace("基本医疗保险", "基本医疗保险（大病保险已覆盖）", 1)
    if x["reason"] in ("ok", "no_hospital_data", "self_pay_over_cap"):
        text += _self_pay(x, year)
    return text


def _housing(x: dict, year: int) -> str:
    return {
        "no_assessment": f"未登记 {year} 年两不愁三保障评估，无法判断。",
        "not_graded": "住房尚未鉴定等级，无法判断。",
        "unsafe_house": f"住房鉴定为 {x['grade']} 级危房，危房改造或搬迁尚未完成。",
        "retrofit_completed": f"住房鉴定为 {x['grade']} 级，危房改造或搬迁已完成。",
        "ok": f"住房鉴定为 {x['grade']} 级，安全。",
    }[x["reason"]]


def _water(x: dict, year: int) -> str:
    return {
        "no_assessment": f"未登记 {year} 年两不愁三保障评估，无法判断。",
        "unsafe": "饮水不安全。",
        "difficult": "存在饮水困难。",
        "not_assessed": "饮水情况未填写完整，无法判断。",
        "ok": "饮水安全，没有饮水困难。",
    }[x["reason"]]


def explain_household(criteria: dict, year: int, parameters: dict | None = None) -> list[dict]:
    """One line per criterion: label, status and the sentence; ``parameters`` maps ids to rows for sources."""
    writers = {
        rules.INCOME: _income,
        rules.FOOD: lambda x, y: _secure(x, y, "不愁吃", "吃饭仍有困难"),
        rules.CLOTHING: lambda x, y: _secure(x, y, "不愁穿", "穿衣仍有困难"),
        rules.EDUCATION: _education, rules.MEDICAL: _medical, rules.HOUSING: _housing, rules.WATER: _water,
    }
    parameters = parameters or {}
    lines = []
    for code in rules.HOUSEHOLD_CRITERIA:
        x = criteria.get(code)
        if x is None:
            continue
        ids = [x.get(k) for k in ("line_parameter_id", "comparator_parameter_id", "age_min_parameter_id",
                                  "age_max_parameter_id", "self_pay_cap_parameter_id") if x.get(k)]
        lines.append({
            "code": code, "label": HOUSEHOLD_LABELS[code], "status": x["status"], "status_label": STATUS_LABELS[x["status"]],
            "text": writers[code](x, year), "sources": [parameters[i] for i in ids if i in parameters],
        })
    return lines


def summary(passed, lines: list[dict], year: int, *, subject="达到脱贫标准") -> str:
    if passed is True:
        return f"{year} 年{subject}：各项均达标。"
    gates = [line for line in lines if line.get("gate", True)]
    if passed is False:
        failed = "、".join(line["label"] for line in gates if line["status"] == rules.FAIL)
        return f"{year} 年未{subject}：{failed}未达标。"
    unknown = "、".join(line["label"] for line in gates if line["status"] == rules.UNKNOWN)
    return f"{year} 年资料或参数不全，无法判断是否{subject}：{unknown}无法判断。"


def _area_incidence(x: dict, level: str) -> str:
    reason = x["reason"]
    what = "贫困村退出" if level == "village" else "贫困县摘帽"
    if reason == "no_threshold":
        return f"该年度{what}贫困发生率标准未设置，无法判断。"
    if reason == "no_population":
        return "未录入该年度农村户籍人口，无法计算贫困发生率。"
    if reason == "population_incomplete":
        return f"{x.get('villages_without_population')} 个村未录入该年度农村户籍人口，无法计算全县贫困发生率。"
    stock = f"截至 {x['as_of']} " if x.get("as_of") else ""
    basis = f"贫困发生率 {x['value']}%（{stock}未脱贫 {x['poor_persons']} 人 ÷ 农村户籍人口 {x['population']} 人）"
    verdict = "满足" if reason == "ok" else "不满足"
    text = f"{basis}，{verdict}{_requirement(x['comparator'], x['threshold'], '%')}。"
    if x.get("from_seeds") is False:
        text += "⚠ 该标准非政策文件来源，待确认。"
    return text


def _area_line(code: str, x: dict, level: str) -> str:
    reason = x["reason"]
    if code == "INCIDENCE":
        return _area_incidence(x, level)
    if code == "COLLECTIVE_INCOME":
        return {
            "no_threshold": "该年度村集体经济收入标准未设置，无法判断。",
            "no_data": "未录入该年度村集体经济收入，无法判断。",
            "ok": f"村集体经济收入 {x['value']} 元，满足{_requirement(x['comparator'], x['threshold'], ' 元')}。",
            "below_threshold": f"村集体经济收入 {x['value']} 元，不满足{_requirement(x['comparator'], x['threshold'], ' 元')}。",
        }[reason]
    if code == "INFRASTRUCTURE":
        return {"ok": "通水、通电、通硬化路、通宽带、通邮、通客车均已实现。",
                "missing": f"尚未实现：{'、'.join(x['missing'])}。",
                "no_data": f"未录入：{'、'.join(x['unknown'])}。"}[reason]
    if code == "CLINIC":
        return {"ok": "已建成标准化卫生室。", "missing": "尚无标准化卫生室。", "no_data": "未录入卫生室情况。"}[reason]
    if code == "POOR_VILLAGES_EXITED":
        return {"ok": f"全部 {x['poor_villages']} 个贫困村均已退出。",
                "remaining": f"{x['exited']}/{x['poor_villages']} 个贫困村已退出（{x['value']}%）。",
                "no_poor_villages": "本县未标记贫困村。"}[reason]
    return "由第三方评估抽样得出，本系统未记录（国家标准，⚠ 非政策文件来源）。"


def explain_area(criteria: dict, level: str) -> list[dict]:
    return [
        {"code": code, "label": AREA_LABELS.get(code, code), "status": x["status"],
         "status_label": STATUS_LABELS[x["status"]], "gate": x["gate"], "text": _area_line(code, x, level)}
        for code, x in criteria.items()
    ]
