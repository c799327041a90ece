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
    """与户主关系 (GB/T 4761 groups, DOMAIN.md §3.2)."""

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
    FULL = "full", "全劳动力"
    SKILLED = "skilled", "技能劳动力"
    PARTIAL = "partial", "半劳动力（弱劳动力）"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力（非劳动年龄）"


WORKING_CAPACITIES = {LabourCapacity.FULL, LabourCapacity.SKILLED, LabourCapacity.PARTIAL}


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
    NONE = "", "未外出务工"
    IN_COUNTY = "in_county", "县内"
    IN_PROVINCE = "in_province", "县外省内"
    OUT_OF_PROVINCE = "out_of_province", "省外"


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
RETIRED_VALUES: dict[type, set] = {}


def offered_choices(enum) -> list[tuple[str, str]]:
    """The (value, label) pairs forms and the import template offer: every choice but the retired ones."""
    retired = RETIRED_VALUES.get(enum, set())
    return [(value, label) for value, label in enum.choices if value not in retired]

