"""Household members (成员) with ID numbers per GB 11643 (DOMAIN.md §3.2)."""
from django.db import models
from django.db.models import Q

from households.choices import (
    DisabilityCategory,
    EducationLevel,
    HealthStatus,
    LabourCapacity,
    MemberStatus,
    Relation,
    Sex,
    StudentStatus,
    TekunKind,
    WorkPlace,
)
from households.idnumber import mask_id_number
from povalleviation.access import ScopedQuerySet


class MemberQuerySet(ScopedQuerySet):
    area_code_path = "household__area_code"

    def current(self):
        return self.filter(is_registered=True)


class Member(models.Model):
    """A person of a registered household.

    ``is_registered`` is true while the person is in the household and the household is an active record;
    a partial unique index on ``id_number`` where it is true keeps one person in one active household
    across the whole installation (a database rule, not only a form check).
    """

    household = models.ForeignKey("households.Household", verbose_name="户", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    sex = models.CharField("性别", max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True, default="")
    education_level = models.CharField("文化程度", max_length=12, choices=EducationLevel.choices, blank=True, default="")
    student_status = models.CharField("在校生状况", max_length=20, choices=StudentStatus.choices, blank=True, default="")
    health_status = models.CharField("健康状况", max_length=10, choices=HealthStatus.choices, default=HealthStatus.HEALTHY)
    disability_category = models.CharField("残疾类别", max_length=12, choices=DisabilityCategory.choices, blank=True, default="")
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True, choices=[(i, f"{i}级") for i in range(1, 5)])
    labour_capacity = models.CharField("劳动能力", max_length=10, choices=LabourCapacity.choices, default=LabourCapacity.NONE)
    work_place = models.CharField("务工地点", max_length=16, choices=WorkPlace.choices, blank=True, default="")
    work_months = models.PositiveSmallIntegerField("务工月数", default=0)
    is_dibao = models.BooleanField("享受低保", default=False)
    tekun = models.CharField("特困供养（五保）", max_length=12, choices=TekunKind.choices, blank=True, default="")
    has_medical_insurance = models.BooleanField("参加城乡居民基本医疗保险", default=False)
    has_serious_illness_insurance = models.BooleanField("参加大病保险", default=False)
    status = models.CharField("在户状态", max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    left_date = models.DateField("减少日期", null=True, blank=True)
    is_registered = models.BooleanField("在册", default=True, editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(is_registered=True), name="member_one_active_household_per_person",
                violation_error_message="该身份证号已在其他在册贫困户中登记",
            ),
            models.CheckConstraint(name="member_work_months_range", condition=Q(work_months__lte=12)),
            models.CheckConstraint(name="member_id_number_length", condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$")),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="member_id_number_idx"),
            models.Index(fields=["name"], name="member_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def age(self) -> int:
        """Age today (周岁): what pages, PDFs, exports and the API show beside a masked ID, never the birth date
        (digits 7-14 of the ID number)."""
        from django.utils import timezone

        return self.age_on(timezone.localdate())

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years
