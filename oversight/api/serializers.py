from rest_framework import serializers

from oversight.choices import (
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    EscalationKind,
    ItemEvent,
    ItemStatus,
    SourceKind,
)
from oversight.models import Complaint, ComplaintHistory, Inspection, RectificationHistory, RectificationItem
from oversight.services import may_see_contact


def _coded(choices, label):
    """A read-only code field documented with its values (plain string in the schema: the enum names of several
    apps' ``status`` fields would otherwise collide)."""
    return serializers.CharField(read_only=True, help_text=f"{label}：" + "；".join(f"{v}={lbl}" for v, lbl in choices))


class InspectionSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    issuer_area_code = serializers.CharField(source="issuer_area.code", read_only=True)
    source_kind = _coded(SourceKind.choices, "问题来源")
    source_kind_display = serializers.CharField(source="get_source_kind_display", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "title", "source_kind", "source_kind_display", "document_number", "issuer_area_code",
                  "issuer_unit", "area_code", "area_name", "started_on", "ended_on", "feedback_on", "default_deadline",
                  "qualitative_summary", "quantitative_summary"]


class ItemInputSerializer(serializers.Serializer):
    problem = serializers.CharField()
    area = serializers.CharField(help_text="责任区域区划代码")
    responsible_unit = serializers.CharField(max_length=100)
    responsible_person = serializers.CharField(max_length=50)
    deadline = serializers.DateField(required=False, allow_null=True, help_text="整改时限，不填用检查的默认时限")
    measures = serializers.CharField(required=False, allow_blank=True, default="")


class FindingInputSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=60, help_text="问题大类")
    text = serializers.CharField(max_length=500, help_text="问题条目（条）")
    items = ItemInputSerializer(many=True, help_text="具体问题")


class InspectionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    issuer_area = serializers.CharField(help_text="组织单位所在区域区划代码")
    issuer_unit = serializers.CharField(max_length=100)
    area = serializers.CharField(help_text="被检查区域区划代码")
    started_on = serializers.DateField()
    ended_on = serializers.DateField()
    feedback_on = serializers.DateField()
    default_deadline = serializers.DateField(required=False, allow_null=True, help_text="不填为反馈日期后 90 天")
    qualitative_summary = serializers.CharField(required=False, allow_blank=True, default="")
    quantitative_summary = serializers.CharField(required=False, allow_blank=True, default="")
    findings = FindingInputSerializer(many=True, required=False, default=list)


def _status_pair(statuses):
    """The documented from_status and to_status fields of a history row."""
    return _coded(statuses, "原状态"), _coded(statuses, "新状态")


# A history row: event, from → to status and the actor's username (null for system steps). No docstring: the
# schema would show it as the description of every history component.
class _HistorySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)


class ItemHistorySerializer(_HistorySerializer):
    event = _coded(ItemEvent.choices, "事件")
    from_status, to_status = _status_pair(ItemStatus.choices)

    class Meta:
        model = RectificationHistory
        fields = ["event", "from_status", "to_status", "deadline", "actor", "at", "note"]


class RectificationItemSerializer(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="finding.inspection_id", read_only=True)
    source_kind = serializers.CharField(source="finding.inspection.source_kind", read_only=True)
    category = serializers.CharField(source="finding.category", read_only=True)
    finding_number = serializers.IntegerField(source="finding.number", read_only=True)
    finding_text = serializers.CharField(source="finding.text", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    status = _coded(ItemStatus.choices, "状态")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = RectificationItem
        fields = ["id", "inspection", "source_kind", "category", "finding_number", "finding_text", "problem",
                  "area_code", "area_name", "responsible_unit", "responsible_person", "deadline", "measures", "status",
                  "status_display", "is_overdue", "closed_on", "submission_sha256", "version", "created_at"]

    def get_is_overdue(self, item) -> bool:
        return item.status != "closed" and item.deadline < self.context["today"]


class RectificationItemDetailSerializer(RectificationItemSerializer):
    history = ItemHistorySerializer(many=True, read_only=True)

    class Meta(RectificationItemSerializer.Meta):
        fields = [*RectificationItemSerializer.Meta.fields, "history"]


class ProgressInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    evidence = serializers.FileField(required=False, allow_null=True)


class ItemTransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=(
        "必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已办理或修改时返回 409"))
    action = serializers.ChoiceField(choices=[("submit", "申请销号"), ("verify", "对账通过"), ("return", "对账退回"),
                                              ("close", "销号"), ("reopen", "重新整改")])
    text = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="申请销号的整改情况说明 / 对账意见 / 退回或重新整改理由 / 销号意见")


class DeadlineInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=(
        "必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已办理或修改时返回 409"))
    deadline = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class EscalationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    escalated_on = serializers.DateField()
    target = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintHistorySerializer(_HistorySerializer):
    event = _coded(ComplaintEvent.choices, "事件")
    from_status, to_status = _status_pair(ComplaintStatus.choices)

    class Meta:
        model = ComplaintHistory
        fields = ["event", "from_status", "to_status", "area_code", "reply_deadline", "actor", "at", "note"]


class ComplaintSerializer(serializers.ModelSerializer):
    """Lists show the complainant masked; the detail shows the full contact to the officers who take the case."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    channel = _coded(ComplaintChannel.choices, "渠道")
    status = _coded(ComplaintStatus.choices, "状态")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    complainant_name = serializers.CharField(source="masked_name", read_only=True)
    complainant_phone = serializers.CharField(source="masked_phone", read_only=True)
    household_number = serializers.CharField(source="household.household_number", read_only=True, default=None,
                                             allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "number", "channel", "received_at", "complainant_name", "complainant_phone", "content",
                  "area_code", "area_name", "received_area_code", "household_number", "handling_unit", "reply_deadline",
                  "status", "status_display", "is_overdue", "reply_text", "replied_at", "closed_at", "version"]

    def get_is_overdue(self, complaint) -> bool:
        return complaint.status in ("received", "assigned", "handling") and complaint.reply_deadline < self.context["today"]


class ComplaintDetailSerializer(ComplaintSerializer):
    """The detail masks the complainant like the list; the officers who take the case reveal the contact
    through ``POST /complaints/{id}/reveal/`` (audited)."""

    history = ComplaintHistorySerializer(many=True, read_only=True)
    may_reveal_contact = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "may_reveal_contact", "history"]

    def get_may_reveal_contact(self, complaint) -> bool:
        return may_see_contact(self.context["request"].user, complaint)


class ComplaintContactSerializer(serializers.Serializer):
    complainant_name = serializers.CharField()
    complainant_phone = serializers.CharField()


class ComplaintCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    received_at = serializers.DateTimeField()
    area = serializers.CharField(help_text="受理区域区划代码")
    content = serializers.CharField()
    complainant_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    complainant_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    household_number = serializers.CharField(required=False, allow_blank=True, default="")
    reply_deadline = serializers.DateField(required=False, allow_null=True,
                                           help_text="不填：信访 60 天，其他渠道 15 天")


class ComplaintTransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=(
        "必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已办理或修改时返回 409"))
    action = serializers.ChoiceField(choices=[("assign", "交办"), ("handle", "开始办理"), ("reply", "答复"),
                                              ("close", "办结")])
    area = serializers.CharField(required=False, allow_blank=True, default="", help_text="交办区域区划代码（交办时）")
    handling_unit = serializers.CharField(required=False, allow_blank=True, default="", help_text="承办单位（交办时）")
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="答复内容（答复时）或说明")
