"""Data-quality checks of one household record (DOMAIN.md §3.12, mirroring the national 建档立卡 checks).

They are warnings shown on the household card (五清/六清 completeness); they never block a save, because
the facts they compare may be entered on different days.
"""
from households.choices import (
    POOR_STATUSES,
    WORKING_CAPACITIES,
    HealthStatus,
    HouseholdCategory,
    LabourCapacity,
    PovertyCause,
    Relation,
    RelationGroup,
    StudentStatus,
    relation_group,
)


def household_quality_warnings(household, members, *, assignments=(), today=None) -> list[str]:
    """Plain-Chinese warnings for one household; ``members`` are its registered members."""
    warnings = []
    heads = [m for m in members if m.relation == Relation.HEAD]
    if len(heads) != 1:
        warnings.append("户主不唯一或缺少户主")
    spouses = [m for m in members if relation_group(m.relation) == RelationGroup.SPOUSE]  # 10 配偶, 11 夫, 12 妻
    if heads and any(s.sex == heads[0].sex for s in spouses):
        warnings.append("户主与配偶性别相同，请核实与户主关系或身份证号")
    causes = {household.primary_cause, *household.other_cause_list}
    if PovertyCause.ILLNESS in causes and not any(m.health_status in (HealthStatus.CHRONIC, HealthStatus.SERIOUS) for m in members):
        warnings.append("致贫原因含“因病”，但没有患长期慢性病或大病的成员")
    if PovertyCause.DISABILITY in causes and not any(m.health_status == HealthStatus.DISABLED or m.disability_category for m in members):
        warnings.append("致贫原因含“因残”，但没有残疾成员")
    if PovertyCause.EDUCATION in causes and not any(m.student_status and m.student_status != StudentStatus.DROPOUT for m in members):
        warnings.append("致贫原因含“因学”，但没有在校生")
    if PovertyCause.LACK_LABOUR in causes and any(m.labour_capacity in (LabourCapacity.FULL, LabourCapacity.SKILLED) for m in members):
        warnings.append("致贫原因含“缺劳力”，但有普通劳动力或技能劳动力成员")
    if household.category == HouseholdCategory.DIBAO and not any(m.is_dibao for m in members):
        warnings.append("贫困户属性为低保贫困户，但没有享受低保的成员")
    if household.category == HouseholdCategory.GENERAL and any(m.is_dibao for m in members):
        warnings.append("有享受低保的成员，贫困户属性却是一般贫困户")
    if household.category == HouseholdCategory.TEKUN and any(
        m.labour_capacity in WORKING_CAPACITIES for m in members
    ):
        warnings.append("特困供养户中有劳动能力的成员，请核实")
    for member in members:
        if member.is_dibao and member.tekun:
            warnings.append(f"{member.name} 同时享受低保和特困供养")
        if member.work_place and not member.work_months:
            warnings.append(f"{member.name} 有务工地点但务工月数为 0")
        if member.work_months and not member.work_place:
            warnings.append(f"{member.name} 有务工月数但未填务工地点")
        if today is not None and member.student_status == StudentStatus.DROPOUT and 6 <= member.age_on(today) <= 15:
            warnings.append(f"{member.name} 处于义务教育年龄但辍学（控辍保学）")
        if not member.has_medical_insurance:
            warnings.append(f"{member.name} 未参加基本医疗保险")
    if household.status in POOR_STATUSES and household.status != "identified" and not list(assignments):
        warnings.append("未脱贫户没有结对帮扶责任人")
    return warnings
