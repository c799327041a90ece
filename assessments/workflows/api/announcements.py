"""/api/v1/announcements/: the 公告 a user may see, and ``POST batch/`` to announce the households of one
township (or county) waiting at the 公告 step, all in one transaction (DOMAIN.md §5.1 step 7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.workflows.models import Announcement, WorkflowType
from assessments.workflows.selectors.announcements import announcement_list
from assessments.workflows.services import announcement_publish
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedViewSetMixin
from povalleviation.errors import NotFound
from villages.choices import AreaLevel
from villages.models import Area


class AnnouncementSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="issuer.name", read_only=True)
    scope = serializers.CharField(source="scope.name", read_only=True)
    verifications = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "number",
            "title",
            "workflow_type",
            "issuer",
            "scope",
            "scope_code",
            "year",
            "announced_on",
            "household_count",
            "person_count",
            "content",
            "content_sha256",
            "verifications",
            "created_at",
        ]
        read_only_fields = fields

    def get_verifications(self, announcement) -> list[int]:
        return [v.pk for v in announcement.verifications.all()]


class BatchItem(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class BatchInput(serializers.Serializer):
    scope = serializers.CharField(max_length=15, help_text="乡镇或县的区划代码")
    verifications = serializers.ListField(child=BatchItem(), min_length=1)
    announced_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    workflow_type = serializers.ChoiceField(
        choices=[WorkflowType.HOUSEHOLD_EXIT, WorkflowType.IDENTIFICATION], default=WorkflowType.HOUSEHOLD_EXIT,
        help_text="household_exit（脱贫退出，默认）或 identification（识别纳入）",
    )


class AnnouncementViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer
    default_capability = Capability.EXIT_VIEW
    capabilities = {"batch": Capability.EXIT_ANNOUNCE}

    def get_queryset(self):
        return announcement_list(user=self.request.user).prefetch_related("verifications")

    @extend_schema(request=BatchInput, responses={201: AnnouncementSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """公告 a batch; every verification must be at its 公告 step with the version given, or none is."""
        payload = BatchInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scope = (
            Area.objects.visible_to(request.user, Capability.EXIT_ANNOUNCE)
            .filter(code=data["scope"], level__in=[AreaLevel.TOWNSHIP, AreaLevel.COUNTY])
            .first()
        )
        if scope is None:
            raise NotFound("找不到该公告范围，或不在您的工作范围内。")
        announcement = announcement_publish(
            actor=request.user,
            scope=scope,
            versions={item["id"]: item["version"] for item in data["verifications"]},
            announced_on=data["announced_on"],
            note=data["note"],
            workflow_type=data["workflow_type"],
        )
        announcement = self.get_queryset().get(pk=announcement.pk)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)
