from rest_framework import serializers

from reports.models import QuarterlyReport


class QuarterlyReportSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    period = serializers.CharField(source="period_label", read_only=True)
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = ["id", "area_code", "area_name", "year", "quarter", "period", "as_of", "version", "supersedes",
                  "correction_reason", "status", "status_label", "progress", "progress_message", "page_count",
                  "snapshot_sha256", "signed_sha256", "verification_token", "generated_at", "reviewed_at", "signed_at",
                  "signer_name", "signer_unit"]
        read_only_fields = fields


class QuarterlyReportDetailSerializer(QuarterlyReportSerializer):
    class Meta(QuarterlyReportSerializer.Meta):
        fields = QuarterlyReportSerializer.Meta.fields + ["snapshot"]
        read_only_fields = fields
