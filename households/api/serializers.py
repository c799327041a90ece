"""API shapes of households and members. ID numbers and phones are masked, and a member's age is given instead
of the birth date (digits 7-14 of the ID number); full values only through the audited reveal. Writes go
through the services."""
from rest_framework import serializers

from households.choices import HouseholdCategory, MemberStatus, MonitoringFlag, PovertyCause
from households.forms import MemberForm
from households.models import Household, Member


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    age = serializers.IntegerField(read_only=True, help_text="周岁（不提供出生日期：出生日期是身份证号的第 7-14 位）")
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id", "name", "id_number", "sex", "age", "relation", "relation_display", "ethnicity", "education_level",
            "student_status", "health_status", "disability_category", "disability_grade", "labour_capacity", "work_place",
            "work_months", "is_dibao", "tekun", "has_medical_insurance", "has_serious_illness_insurance", "status",
            "is_registered",
        ]
        read_only_fields = fields


class MemberInputSerializer(serializers.Serializer):
    """Input of one member; the full ID number is accepted here and never returned."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40)
    relation = serializers.CharField()
    ethnicity = serializers.CharField(required=False, allow_blank=True, default="")
    education_level = serializers.CharField(required=False, allow_blank=True, default="")
    student_status = serializers.CharField(required=False, allow_blank=True, default="")
    health_status = serializers.CharField(required=False, default="healthy")
    disability_category = serializers.CharField(required=False, allow_blank=True, default="")
    disability_grade = serializers.IntegerField(required=False, allow_null=True, default=None)
    labour_capacity = serializers.CharField(required=False, default="none")
    work_place = serializers.CharField(required=False, allow_blank=True, default="")
    work_months = serializers.IntegerField(required=False, default=0, min_value=0, max_value=12)
    is_dibao = serializers.BooleanField(required=False, default=False)
    tekun = serializers.CharField(required=False, allow_blank=True, default="")
    has_medical_insurance = serializers.BooleanField(required=False, default=False)
    has_serious_illness_insurance = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        # The same field rules as the page form (choices, GB 11643 ID checks).
        form = MemberForm(data={k: ("on" if v is True else ("" if v in (False, None) else v)) for k, v in attrs.items()})
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        return form.member_data()


class HouseholdSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    village_code = serializers.CharField(source="village.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    other_causes = serializers.ListField(source="other_cause_list", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True, help_text="已脱敏（如 138****5678）")

    class Meta:
        model = Household
        fields = [
            "id", "household_number", "area_code", "area_name", "village_code", "head_name", "address", "phone",
            "identification_year", "category", "status", "status_display", "primary_cause", "other_causes",
            "other_cause_note", "monitoring_flag", "planned_exit_year", "exit_date", "is_relocated", "is_zhiguo_minzu",
            "member_count", "version", "updated_at",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    members = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields

    def get_members(self, household) -> list[dict]:
        return MemberSerializer([m for m in household.members.all() if m.is_registered], many=True).data


MAX_HOUSEHOLD_MEMBERS = 30


class MemberRemovalSerializer(serializers.Serializer):
    """成员自然减少：原因、日期和说明。"""

    status = serializers.ChoiceField(choices=[c for c in MemberStatus.choices if c[0] != MemberStatus.ACTIVE],
                                     help_text="减少原因")
    left_date = serializers.DateField(required=False, help_text="减少日期；不填为今天")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="", help_text="说明")


def _member_choice(name, **kwargs):
    field = Member._meta.get_field(name)
    return serializers.ChoiceField(choices=field.choices, required=False, label=str(field.verbose_name), **kwargs)


class MemberChangeSerializer(serializers.Serializer):
    """One member to add (no ``id``), change (``id`` and the fields to change) or remove (``id`` and ``removal``)."""

    id = serializers.IntegerField(required=False, allow_null=True, help_text="在册成员的 id；不填为新增成员")
    name = serializers.CharField(required=False, max_length=50)
    id_number = serializers.CharField(required=False, max_length=40, help_text="完整身份证号（只在修改时填写）")
    relation = _member_choice("relation")
    ethnicity = serializers.CharField(required=False, allow_blank=True, max_length=20)
    education_level = _member_choice("education_level", allow_blank=True)
    student_status = _member_choice("student_status", allow_blank=True)
    health_status = _member_choice("health_status")
    disability_category = _member_choice("disability_category", allow_blank=True)
    disability_grade = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    labour_capacity = _member_choice("labour_capacity")
    work_place = _member_choice("work_place", allow_blank=True)
    work_months = serializers.IntegerField(required=False, min_value=0, max_value=12)
    is_dibao = serializers.BooleanField(required=False)
    tekun = _member_choice("tekun", allow_blank=True)
    has_medical_insurance = serializers.BooleanField(required=False)
    has_serious_illness_insurance = serializers.BooleanField(required=False)
    removal = MemberRemovalSerializer(required=False, help_text="填写则办理该成员的自然减少（死亡、婚出、迁出等）")

    def validate(self, attrs):
        member_id, removal = attrs.get("id"), attrs.get("removal")
        fields = {name: value for name, value in attrs.items() if name not in ("id", "removal")}
        if removal is not None:
            if not member_id:
                raise serializers.ValidationError({"removal": ["只能减少在册成员，请填写成员 id"]})
            if fields:
                raise serializers.ValidationError({"removal": ["减少成员时不能同时修改其信息"]})
            return {"id": member_id, "removal": removal}
        if member_id:
            if not fields:
                raise serializers.ValidationError({"id": ["请填写要修改的成员信息，或填写 removal 办理减少"]})
            return {"id": member_id, **fields}
        new = MemberInputSerializer(data=fields)  # a new member: the same rules and defaults as adding one
        if not new.is_valid():
            raise serializers.ValidationError(new.errors)
        return {"id": None, **new.validated_data}


class HouseholdWriteSerializer(serializers.Serializer):
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    identification_year = serializers.IntegerField(required=False)
    category = serializers.ChoiceField(choices=HouseholdCategory.choices, required=False)
    primary_cause = serializers.ChoiceField(choices=PovertyCause.choices, required=False)
    other_causes = serializers.ListField(child=serializers.ChoiceField(choices=PovertyCause.choices), required=False)
    other_cause_note = serializers.CharField(required=False, allow_blank=True, max_length=100)
    monitoring_flag = serializers.ChoiceField(choices=MonitoringFlag.choices, required=False, allow_blank=True)
    planned_exit_year = serializers.IntegerField(required=False, allow_null=True)
    is_relocated = serializers.BooleanField(required=False)
    is_zhiguo_minzu = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, help_text=(
        "修改时必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已修改时返回 409"))
    members = MemberChangeSerializer(many=True, required=False, max_length=MAX_HOUSEHOLD_MEMBERS, help_text=(
        "要新增、修改或减少的成员（未列出的成员不变）；与户信息一起保存，任何一项被拒绝则全部不保存"))


class HouseholdCreateSerializer(HouseholdWriteSerializer):
    area = serializers.CharField(help_text="所在村或村民小组的区划代码")
    identification_year = serializers.IntegerField()
    primary_cause = serializers.ChoiceField(choices=PovertyCause.choices)
    # No household holds more people than this; a longer list is refused before anything is checked or stored.
    members = MemberInputSerializer(many=True, max_length=MAX_HOUSEHOLD_MEMBERS, error_messages={
        "max_length": f"一户最多登记 {MAX_HOUSEHOLD_MEMBERS} 名成员。"})


class RevealInputSerializer(serializers.Serializer):
    """Which full value to show: a member's ID number or the household's contact phone (each reveal audited)."""

    field = serializers.ChoiceField(choices=[("id_number", "成员完整身份证号"), ("phone", "户联系电话")])
    member = serializers.IntegerField(required=False, help_text="查看身份证号时填写成员 id")


class RevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
