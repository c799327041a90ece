"""Serializers of /api/v1/exit-verifications/: the verification as listed and in detail, the inputs of the
transitions and of the endpoints that start a workflow, and the overdue summary."""

from rest_framework import serializers

from assessments.workflows import services
from assessments.workflows.models import ObjectionChannel, Verification
from assessments.workflows.services.snapshots import snapshot_for_display


class VerificationSerializer(serializers.ModelSerializer):
    # Plain strings: the codes are listed in the *_display fields' enums elsewhere; this keeps the OpenAPI
    # enum names free of collisions with other apps' "status" fields.
    workflow_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    workflow_type_display = serializers.CharField(source="get_workflow_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    subject = serializers.CharField(source="subject_name", read_only=True)
    stage = serializers.CharField(source="stage_label", read_only=True)
    due_at = serializers.DateField(source="due_on", read_only=True, help_text="当前步骤办理期限（含当日）")
    is_overdue = serializers.BooleanField(read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Verification
        fields = [
            "id",
            "workflow_type",
            "workflow_type_display",
            "subject",
            "household",
            "area_code",
            "year",
            "status",
            "status_display",
            "stage",
            "current_step",
            "position",
            "version",
            "note",
            "started_at",
            "step_since",
            "due_at",
            "is_overdue",
            "overdue_days",
            "decided_on",
            "announcement",
        ]
        read_only_fields = fields


class VerificationDetailSerializer(VerificationSerializer):
    decision_snapshot = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    publicities = serializers.SerializerMethodField()
    matches = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(VerificationSerializer.Meta):
        fields = [
            *VerificationSerializer.Meta.fields,
            "chain",
            "chain_source",
            "decision_snapshot",
            "decision_sha256",
            "events",
            "publicities",
            "matches",
            "available_actions",
        ]
        read_only_fields = fields

    def get_decision_snapshot(self, verification) -> dict | None:
        # Shown with birth years, never birth dates beside the masked ID numbers.
        return snapshot_for_display(verification.decision_snapshot)

    def get_events(self, verification) -> list[dict]:
        return [
            {
                "action": e.action,
                "step": e.step_code,
                "step_label": e.step_label,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "actor": str(e.actor) if e.actor_id else None,
                "at": e.at,
                "note": e.note,
                "details": e.details,
                "snapshot": snapshot_for_display(e.snapshot),
                "snapshot_sha256": e.snapshot_sha256,
                "parameter_version": e.parameter_version,
            }
            for e in verification.events.all()
        ]

    def get_publicities(self, verification) -> list[dict]:
        return [
            {
                "id": p.pk,
                "step": p.step_code,
                "status": p.status,
                "result": p.result,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "days": p.days,
                "location": p.location,
                "content": p.content,
                "content_sha256": p.content_sha256,
                "objections": [
                    {
                        "id": o.pk,
                        "channel": o.channel,
                        "complainant": o.complainant,
                        "content": o.content,
                        "status": o.status,
                        "resolution": o.resolution,
                    }
                    for o in p.objections.all()
                ],
            }
            for p in verification.publicities.all()
        ]

    def get_matches(self, verification) -> list[dict]:
        return [
            {
                "id": m.pk,
                "person": m.person_name,
                "id_number": m.masked_id_number,
                "source": m.source,
                "detail": m.detail,
                "is_blocking": m.is_blocking,
                "explanation": m.explanation,
            }
            for m in verification.matches.all()
        ]

    def get_available_actions(self, verification) -> list[str]:
        return services.available_actions(self.context["request"].user, verification)


class TransitionInput(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    step = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="页面显示的当前步骤代码"
    )
    details = serializers.DictField(
        required=False,
        default=dict,
        help_text="民主评议记录：meeting_date, participants, attendance, votes_for, votes_against, minutes",
    )


class PublicityInput(TransitionInput):
    location = serializers.CharField(max_length=200)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class ObjectionInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ObjectionChannel.choices)
    complainant = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    content = serializers.CharField(max_length=4000)


class ObjectionResolveInput(serializers.Serializer):
    objection = serializers.IntegerField()
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=4000)


class NominationInput(serializers.Serializer):
    household = serializers.IntegerField()
    note = serializers.CharField(max_length=2000)
    year = serializers.IntegerField(required=False, allow_null=True, default=None)


class AreaApplicationInput(serializers.Serializer):
    area = serializers.CharField(max_length=15, help_text="区划代码")
    note = serializers.CharField(max_length=2000)
    year = serializers.IntegerField(required=False, allow_null=True, default=None)


class OverdueSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    level = serializers.CharField()
    by_step = serializers.ListField(child=serializers.DictField())
    by_area = serializers.ListField(child=serializers.DictField())
