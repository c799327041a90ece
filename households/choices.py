"""Enumerations of the 建档立卡 record (DOMAIN.md §3). Labels are what users see."""
from django.db import models


class HouseholdStatus(models.TextChoices):
    """Household lifecycle (DOMAIN.md §3.9); changed only by services, each change an event."""

    CANDIDATE = "candidate", "拟识别"
    IDENTIFIED = "identified", "建档立卡（未脱贫）"
    HELPED = "helped", "帮扶中（未脱贫）"
    EXIT_PENDING = "exit_pending", "拟退出（待验收）"
    EXITED = "exited", "已脱贫"
    RETURNED = "returned", "返贫"
    REMOVED = "removed", "已剔除"


# States that count as poor in 贫困发生率 (DOMAIN.md §3.9).
POOR_STATUSES = {HouseholdStatus.IDENTIFIED, HouseholdStatus.HELPED, HouseholdStatus.EXIT_PENDING, HouseholdStatus.RETURNED}
# States in which a household is a registered, current record.
ACTIVE_STATUSES = set(HouseholdStatus.values) - {HouseholdStatus.REMOVED}

# Allowed direct status changes (the exit/identification workflows drive the rest).
STATUS_TRANSITIONS = {
    HouseholdStatus.CANDIDATE: {HouseholdStatus.IDENTIFIED, HouseholdStatus.REMOVED},
    HouseholdStatus.IDENTIFIED: {HouseholdStatus.HELPED, HouseholdStatus.REMOVED},
    HouseholdStatus.HELPED: {HouseholdStatus.EXIT_PENDING, HouseholdStatus.REMOVED},
    HouseholdStatus.EXIT_PENDING: {HouseholdStatus.EXITED, HouseholdStatus.HELPED, HouseholdStatus.RETURNED},
    HouseholdStatus.EXITED: {HouseholdStatus.RETURNED, HouseholdStatus.HELPED},
    HouseholdStatus.RETURNED: {HouseholdStatus.EXIT_PENDING, HouseholdStatus.REMOVED},
    HouseholdStatus.REMOVED: set(),
}


class HouseholdCategory(models.TextChoices):
    """贫困户属性 (DOMAIN.md §3.1)."""

    GENERAL = "general", "一般贫困户"
    DIBAO = "dibao", "低保贫困户"
    TEKUN = "tekun", "特困供养贫困户"


class PovertyCause(models.TextChoices):
    """致贫原因, the national 建档立卡 list (DOMAIN.md §3.5)."""

    ILLNESS = "ILLNESS", "因病"
    DISABILITY = "DISABILITY", "因残"
    EDUCATION = "EDUCATION", "因学"
    DISASTER = "DISASTER", "因灾"
    LACK_LAND = "LACK_LAND", "缺土地"
    LACK_WATER = "LACK_WATER", "缺水"
    LACK_SKILLS = "LACK_SKILLS", "缺技术"
    LACK_LABOUR = "LACK_LABOUR", "缺劳力"
    LACK_FUNDS = "LACK_FUNDS", "缺资金"
    POOR_TRANSPORT = "POOR_TRANSPORT", "交通条件落后"
    LACK_MOTIVATION = "LACK_MOTIVATION", "自身发展动力不足"
    OTHER = "OTHER", "其他"


class MonitoringFlag(models.TextChoices):
    NONE = "", "无"
    EXITED_MONITORED = "exited_monitored", "脱贫监测户"
    EDGE = "edge", "边缘户"


class Relation(models.TextChoices):
    """与户主关系: the two-digit codes of GB/T 4761-2008 (家庭关系代码, DOMAIN.md §3.2), as the national
    建档立卡 system and counties' registers record them. 01 本人 is not offered: in a household register the head
    is 02 户主 (本人 is read as 02 by the import). The names of the old coarse list point at the group codes."""

    HEAD = "02", "户主"
    SPOUSE = "10", "配偶"
    HUSBAND = "11", "夫"
    WIFE = "12", "妻"
    SON = "20", "子"
    ONLY_SON = "21", "独生子"
    ELDEST_SON = "22", "长子"
    SECOND_SON = "23", "次子"
    THIRD_SON = "24", "三子"
    FOURTH_SON = "25", "四子"
    FIFTH_SON = "26", "五子"
    ADOPTED_SON = "27", "养子或继子"
    SON_IN_LAW = "28", "女婿"
    OTHER_SON = "29", "其他儿子"
    DAUGHTER = "30", "女"
    ONLY_DAUGHTER = "31", "独生女"
    ELDEST_DAUGHTER = "32", "长女"
    SECOND_DAUGHTER = "33", "次女"
    THIRD_DAUGHTER = "34", "三女"
    FOURTH_DAUGHTER = "35", "四女"
    FIFTH_DAUGHTER = "36", "五女"
    ADOPTED_DAUGHTER = "37", "养女或继女"
    DAUGHTER_IN_LAW = "38", "儿媳"
    OTHER_DAUGHTER = "39", "其他女儿"
    GRANDCHILD = "40", "孙子、孙女或外孙子、外孙女"
    GRANDSON = "41", "孙子"
    GRANDDAUGHTER = "42", "孙女"
    DAUGHTERS_SON = "43", "外孙子"
    DAUGHTERS_DAUGHTER = "44", "外孙女"
    GRANDSON_WIFE = "45", "孙媳妇或外孙媳妇"
    GRANDDAUGHTER_HUSBAND = "46", "孙女婿或外孙女婿"
    GREAT_GRANDSON = "47", "曾孙子或外曾孙子"
    GREAT_GRANDDAUGHTER = "48", "曾孙女或外曾孙女"
    OTHER_GRANDCHILD = "49", "其他孙子、孙女或外孙子、外孙女"
    PARENT = "50", "父母"
    FATHER = "51", "父亲"
    MOTHER = "52", "母亲"
    HUSBANDS_FATHER = "53", "公公"
    HUSBANDS_MOTHER = "54", "婆婆"
    WIFES_FATHER = "55", "岳父"
    WIFES_MOTHER = "56", "岳母"
    STEPFATHER = "57", "继父或养父"
    STEPMOTHER = "58", "继母或养母"
    OTHER_PARENT = "59", "其他父母关系"
    GRANDPARENT = "60", "祖父母或外祖父母"
    GRANDFATHER = "61", "祖父"
    GRANDMOTHER = "62", "祖母"
    MATERNAL_GRANDFATHER = "63", "外祖父"
    MATERNAL_GRANDMOTHER = "64", "外祖母"
    SPOUSES_GRANDPARENT = "65", "配偶的祖父母或外祖父母"
    GREAT_GRANDFATHER = "66", "曾祖父"
    GREAT_GRANDMOTHER = "67", "曾祖母"
    SPOUSES_GREAT_GRANDPARENT = "68", "配偶的曾祖父母或外曾祖父母"
    OTHER_GRANDPARENT = "69", "其他祖父母或外祖父母关系"
    SIBLING = "70", "兄弟姐妹"
    ELDER_BROTHER = "71", "兄"
    ELDER_BROTHERS_WIFE = "72", "嫂"
    YOUNGER_BROTHER = "73", "弟"
    YOUNGER_BROTHERS_WIFE = "74", "弟媳"
    ELDER_SISTER = "75", "姐姐"
    ELDER_SISTERS_HUSBAND = "76", "姐夫"
    YOUNGER_SISTER = "77", "妹妹"
    YOUNGER_SISTERS_HUSBAND = "78", "妹夫"
    OTHER_SIBLING = "79", "其他兄弟姐妹"
    OTHER = "80", "其他"
    FATHERS_ELDER_BROTHER = "81", "伯父"
    FATHERS_ELDER_BROTHERS_WIFE = "82", "伯母"
    FATHERS_YOUNGER_BROTHER = "83", "叔父"
    FATHERS_YOUNGER_BROTHERS_WIFE = "84", "婶母"
    MOTHERS_BROTHER = "85", "舅父"
    MOTHERS_BROTHERS_WIFE = "86", "舅母"
    MOTHERS_SISTERS_HUSBAND = "87", "姨父"
    MOTHERS_SISTER = "88", "姨母"
    FATHERS_SISTERS_HUSBAND = "89", "姑父"
    FATHERS_SISTER = "90", "姑母"
    PATERNAL_COUSIN = "91", "堂兄弟、堂姐妹"
    COUSIN = "92", "表兄弟、表姐妹"
    BROTHERS_SON = "93", "侄子"
    BROTHERS_DAUGHTER = "94", "侄女"
    SISTERS_SON = "95", "外甥"
    SISTERS_DAUGHTER = "96", "外甥女"
    OTHER_RELATIVE = "97", "其他亲属"
    NON_RELATIVE = "99", "非亲属"


class RelationGroup(models.TextChoices):
    """The coarse 与户主关系 of reports and checks (the record's list before the GB/T 4761 codes; the values are
    what members stored then)."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "子"
    DAUGHTER = "daughter", "女"
    DAUGHTER_IN_LAW = "daughter_in_law", "儿媳"
    SON_IN_LAW = "son_in_law", "女婿"
    GRANDCHILD = "grandchild", "孙子女"
    PARENT = "parent", "父母"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


def _codes(first: int, last: int) -> list[str]:
    return [f"{code:02d}" for code in range(first, last + 1)]


# GB/T 4761 code → its group. 27 养子或继子 is a son and 37 养女或继女 a daughter; 28 女婿 and 38 儿媳 keep their own
# groups (the old list had them); 45/46 the spouses of grandchildren and 47/48 great-grandchildren count with the
# grandchildren, 53–56 parents-in-law with the parents, 65 and 66–68 with the grandparents, the siblings' spouses
# (72 嫂, 74 弟媳, 76 姐夫, 78 妹夫) with the siblings; 81–97 and 99 are 其他.
RELATION_GROUPS: dict[str, RelationGroup] = {
    "02": RelationGroup.HEAD,
    **{code: RelationGroup.SPOUSE for code in ("10", "11", "12")},
    **{code: RelationGroup.SON for code in (*_codes(20, 27), "29")},
    "28": RelationGroup.SON_IN_LAW,
    **{code: RelationGroup.DAUGHTER for code in (*_codes(30, 37), "39")},
    "38": RelationGroup.DAUGHTER_IN_LAW,
    **{code: RelationGroup.GRANDCHILD for code in _codes(40, 49)},
    **{code: RelationGroup.PARENT for code in _codes(50, 59)},
    **{code: RelationGroup.GRANDPARENT for code in _codes(60, 69)},
    **{code: RelationGroup.SIBLING for code in _codes(70, 79)},
    **{code: RelationGroup.OTHER for code in (*_codes(80, 97), "99")},
}

# The code each group's members were given when the codes replaced the coarse list (migration 0006), and the
# code a group stands for.
GROUP_CODES: dict[RelationGroup, str] = {
    RelationGroup.HEAD: Relation.HEAD, RelationGroup.SPOUSE: Relation.SPOUSE, RelationGroup.SON: Relation.SON,
    RelationGroup.DAUGHTER: Relation.DAUGHTER, RelationGroup.DAUGHTER_IN_LAW: Relation.DAUGHTER_IN_LAW,
    RelationGroup.SON_IN_LAW: Relation.SON_IN_LAW, RelationGroup.GRANDCHILD: Relation.GRANDCHILD,
    RelationGroup.PARENT: Relation.PARENT, RelationGroup.GRANDPARENT: Relation.GRANDPARENT,
    RelationGroup.SIBLING: Relation.SIBLING, RelationGroup.OTHER: Relation.OTHER,
}


def relation_group(code) -> RelationGroup:
    """The coarse group of a GB/T 4761 code (KeyError for a value that is not one of ``Relation``)."""
    return RELATION_GROUPS[str(code)]


def grouped_relation_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """``Relation.choices`` under their groups (a drop-down with one heading per group)."""
    grouped: dict[RelationGroup, list] = {group: [] for group in RelationGroup}
    for value, label in Relation.choices:
        grouped[relation_group(value)].append((value, label))
    return [(group.label, choices) for group, choices in grouped.items()]


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class DisabilityCategory(models.TextChoices):
    NONE = "", "无"
    VISUAL = "visual", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class LabourCapacity(models.TextChoices):
    """劳动技能, the national 建档立卡 list (the import reads the older labels as aliases)."""

    FULL = "full", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    PARTIAL = "partial", "弱劳动力或半劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力"


WORKING_CAPACITIES = {LabourCapacity.FULL, LabourCapacity.SKILLED, LabourCapacity.PARTIAL}


class LabourGroup(models.TextChoices):
    """The coarse grouping of 劳动技能 in reports."""

    ABLE = "able", "有劳动能力"
    UNABLE = "unable", "无劳动能力"


def labour_group(capacity) -> LabourGroup:
    """有劳动能力 for the ``WORKING_CAPACITIES``, else 无劳动能力."""
    return LabourGroup.ABLE if capacity in WORKING_CAPACITIES else LabourGroup.UNABLE


class EducationLevel(models.TextChoices):
    NONE = "", "未填"
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中职"
    COLLEGE = "college", "大专及以上"


class StudentStatus(models.TextChoices):
    NONE = "", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "普通高中"
    VOCATIONAL = "vocational", "中职"
    HIGHER_VOCATIONAL = "higher_vocational", "高职大专"
    UNDERGRADUATE = "undergraduate", "本科及以上"
    DROPOUT = "dropout", "辍学"


class TekunKind(models.TextChoices):
    NONE = "", "否"
    DISPERSED = "dispersed", "分散供养"
    CENTRALISED = "centralised", "集中供养"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在户"
    DECEASED = "deceased", "死亡"
    MARRIED_OUT = "married_out", "婚出"
    MOVED_OUT = "moved_out", "迁出"
    OTHER_LEFT = "other_left", "其他减少"


class WorkPlace(models.TextChoices):
    """务工状况, the national 建档立卡 list. ``IN_COUNTY`` is retired (``RETIRED_VALUES``): records made before
    乡（镇）内 and 乡（镇）外县内 were told apart keep it, no form offers it."""

    NONE = "", "未外出务工"
    IN_TOWNSHIP = "in_township", "乡（镇）内务工"
    OUT_TOWNSHIP = "out_township", "乡（镇）外县内务工"
    IN_PROVINCE = "in_province", "县外省内务工"
    OUT_OF_PROVINCE = "out_of_province", "省外务工"
    IN_COUNTY = "in_county", "县内务工（未区分乡镇内外）"


class WorkPlaceGroup(models.TextChoices):
    """The coarse grouping of 务工状况 in reports and statistics."""

    NONE = "", "未外出务工"
    IN_COUNTY = "in_county", "县内"
    IN_PROVINCE = "in_province", "县外省内"
    OUT_OF_PROVINCE = "out_of_province", "省外"


WORK_PLACE_GROUPS: dict[str, WorkPlaceGroup] = {
    WorkPlace.NONE: WorkPlaceGroup.NONE,
    WorkPlace.IN_TOWNSHIP: WorkPlaceGroup.IN_COUNTY,
    WorkPlace.OUT_TOWNSHIP: WorkPlaceGroup.IN_COUNTY,
    WorkPlace.IN_COUNTY: WorkPlaceGroup.IN_COUNTY,
    WorkPlace.IN_PROVINCE: WorkPlaceGroup.IN_PROVINCE,
    WorkPlace.OUT_OF_PROVINCE: WorkPlaceGroup.OUT_OF_PROVINCE,
}


def work_place_group(work_place) -> WorkPlaceGroup:
    """县内 (乡（镇）内, 乡（镇）外县内 and the retired 县内), 县外省内, 省外, or 未外出务工 for an empty value."""
    return WORK_PLACE_GROUPS[work_place or ""]


def work_places_in_group(group) -> list[str]:
    """The stored work places of one group (for a filter such as ``work_place__in``)."""
    return [str(value) for value, member_group in WORK_PLACE_GROUPS.items() if member_group == group]


class HousingGrade(models.TextChoices):
    """危房鉴定等级 (《农村危险房屋鉴定技术导则》; C and D are 危房)."""

    NONE = "", "未鉴定"
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级（危房）"
    D = "D", "D级（危房）"


UNSAFE_GRADES = {HousingGrade.C, HousingGrade.D}


class MeasureCategory(models.TextChoices):
    """帮扶措施 types (DOMAIN.md §3.6), grouped under 五个一批 in the forms."""

    INDUSTRY = "industry", "产业扶贫"
    EMPLOYMENT = "employment", "就业扶贫"
    RELOCATION = "relocation", "易地扶贫搬迁"
    ECOLOGY = "ecology", "生态扶贫"
    EDUCATION = "education", "教育扶贫"
    HEALTH = "health", "健康扶贫"
    HOUSING = "housing", "危房改造"
    SOCIAL_SECURITY = "social_security", "兜底保障"
    FINANCE = "finance", "金融扶贫"
    ASSET_INCOME = "asset_income", "资产收益"
    PHOTOVOLTAIC = "photovoltaic", "光伏扶贫"
    ECOMMERCE = "ecommerce", "电商扶贫"
    DISABILITY = "disability", "残疾人帮扶"
    INFRASTRUCTURE = "infrastructure", "饮水/基础设施到户"
    SOCIAL_HELP = "social_help", "社会帮扶"


# 五个一批 (中发〔2015〕34号, DOMAIN.md glossary) → the measure categories under each.
FIVE_BATCHES = {
    "发展生产脱贫一批": [MeasureCategory.INDUSTRY, MeasureCategory.EMPLOYMENT, MeasureCategory.FINANCE,
                   MeasureCategory.ASSET_INCOME, MeasureCategory.PHOTOVOLTAIC, MeasureCategory.ECOMMERCE],
    "易地搬迁脱贫一批": [MeasureCategory.RELOCATION, MeasureCategory.HOUSING, MeasureCategory.INFRASTRUCTURE],
    "生态补偿脱贫一批": [MeasureCategory.ECOLOGY],
    "发展教育脱贫一批": [MeasureCategory.EDUCATION],
    "社会保障兜底一批": [MeasureCategory.SOCIAL_SECURITY, MeasureCategory.HEALTH, MeasureCategory.DISABILITY,
                   MeasureCategory.SOCIAL_HELP],
}


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_EFFECT = "in_effect", "实施中"
    ENDED = "ended", "已结束"


class VisitKind(models.TextChoices):
    HOME = "home", "入户走访"
    PHONE = "phone", "电话联系"
    MEETING = "meeting", "会议"
    SURVEY = "survey", "调研"


# Values kept only for records made before a list was refined (migrated data): valid and shown as stored, but
# offered by no form, drop-down or template. Enumeration class → its retired values.
RETIRED_VALUES: dict[type, set] = {
    WorkPlace: {WorkPlace.IN_COUNTY},
}


def offered_choices(enum) -> list[tuple[str, str]]:
    """The (value, label) pairs forms and the import template offer: every choice but the retired ones."""
    retired = RETIRED_VALUES.get(enum, set())
    return [(value, label) for value, label in enum.choices if value not in retired]

