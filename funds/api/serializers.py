from rest_framework import serializers

from funds.models import Disbursement, FundAllocation


class FundAllocationSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = FundAllocation
        fields = ["id", "source", "source_name", "area_code", "area_name", "year", "document_number", "allocated_on",
                  "amount", "method", "assigned_amount", "disbursed_amount", "note"]


class FundAllocationCreateSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="资金来源代码")
    area = serializers.CharField(help_text="接收区域区划代码")
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    document_number = serializers.CharField(max_length=100)
    allocated_on = serializers.DateField()
    method = serializers.CharField(required=False, default="factor")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DisbursementSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    project_number = serializers.CharField(source="project.number", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Disbursement
        fields = ["id", "funding", "allocation", "project", "project_number", "source", "year", "area_code",
                  "project_area_code", "paid_on", "amount", "voucher_number", "payee", "note", "status",
                  "status_display", "review_note"]


class DisbursementCreateSerializer(serializers.Serializer):
    funding = serializers.IntegerField(help_text="项目资金安排 id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    paid_on = serializers.DateField()
    voucher_number = serializers.CharField(max_length=60)
    payee = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RatioRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    disbursed = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending = serializers.DecimalField(max_digits=16, decimal_places=2)
    ratio = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    below_target = serializers.BooleanField()


class SpendRatioSerializer(serializers.Serializer):
    area = serializers.CharField()
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    total = RatioRowSerializer()
    by_source = RatioRowSerializer(many=True)
    by_area = RatioRowSerializer(many=True)
    local_contribution = serializers.DictField()
