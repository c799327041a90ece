"""/api/v1/imports/: upload a workbook, follow its validation, read every error, confirm the commit.

Every action needs ``household.import`` (403 without it anywhere); jobs are the user's own inside that
scope, so another user's job is 404 like a missing one.
"""
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from households.models import ImportJob
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedViewSetMixin

from .jobs import import_job_confirm, import_job_create


class ImportJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_running = serializers.SerializerMethodField()
    error_file_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "original_name", "status", "status_display", "is_running", "progress", "message", "household_rows",
            "member_rows", "error_count", "summary", "error_file_url", "created_at", "finished_at",
        ]
        read_only_fields = fields

    def get_is_running(self, job) -> bool:
        return job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING)

    def get_error_file_url(self, job) -> str | None:
        return reverse("household_imports:error_file", args=[job.pk]) if job.error_file else None


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="由导入模板填写的 .xlsx 文件（工作表“户信息”“成员信息”，可选“收入信息”“帮扶措施”）")


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="工作表：户信息 / 成员信息 / 收入信息 / 帮扶措施")
    row = serializers.IntegerField(allow_null=True, help_text="Excel 行号（表头为第 1 行）")
    column = serializers.CharField(allow_blank=True, help_text="列名（表头文字）")
    message = serializers.CharField(help_text="错误原因")


@extend_schema_view(
    list=extend_schema(summary="我的导入任务", tags=["imports"]),
    retrieve=extend_schema(summary="导入任务状态（进度、错误数）", tags=["imports"]),
)
class ImportJobViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel import of 建档立卡户: upload → validation (background, with progress) → errors → confirm."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    default_capability = Capability.HOUSEHOLD_IMPORT
    capabilities = {"create": Capability.HOUSEHOLD_IMPORT, "errors": Capability.HOUSEHOLD_IMPORT,
                    "confirm": Capability.HOUSEHOLD_IMPORT}
    ordering_default = ("-created_at", "-id")
    parser_classes = [MultiPartParser, FormParser]
    filterset_class = None
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset().filter(uploaded_by=self.request.user)

    @extend_schema(summary="上传导入文件", tags=["imports"], request={"multipart/form-data": ImportUploadSerializer},
                   responses={201: ImportJobSerializer, 400: OpenApiResponse(description="不是 .xlsx 文件或文件为空")})
    def create(self, request):
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = import_job_create(actor=request.user, uploaded_file=payload.validated_data["file"])
        job.refresh_from_db()
        return Response(ImportJobSerializer(job, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="全部校验错误", tags=["imports"],
        responses={200: inline_serializer("ImportErrorList", fields={
            "count": serializers.IntegerField(), "status": serializers.CharField(),
            "errors": ImportErrorSerializer(many=True),
        })},
    )
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        job = self.get_object()
        return Response({"count": job.error_count, "status": job.status, "errors": job.errors or []})

    @extend_schema(summary="确认导入（一次性写入，全部成功或全部不写入）", tags=["imports"], request=None,
                   responses={202: ImportJobSerializer, 409: OpenApiResponse(description="任务不是“校验通过，待确认”状态")})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = import_job_confirm(actor=request.user, job=self.get_object())
        job.refresh_from_db()
        return Response(ImportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
