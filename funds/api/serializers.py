from rest_framework import serializers

from funds.models import Disbursement, FundAllocation


class FundAllocationSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = FundAllocation
        fields = ["id", "source", "source_name", "area_code", "area_name", "year", "document_number", "allocated_on",
                  "amount", "method", "assigned_amount", "disbursed_amount", "note", "published_on", "publication_place",
                  "version"]


class PublishSerializer(serializers.Serializer):
    published_on = serializers.DateField(help_text="公开日期")
    place = serializers.CharField(max_length=200, help_text="公开方式或地点")
    version = serializers.IntegerField(required=False, help_text=(
        "必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已修改时返回 409"))


class FundAllocationCreateSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="资金来源代码")
    area = serializers.CharField(help_text="接收区域区划代码")
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    document_number = serializers.CharField(max_length=100)
    allocated_on = serializers.DateField()
    method = serializers.CharField(required=False, default="factor")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="分配结果公开日期（P-FD-08：公开前不能报账）")
    publication_place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


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


class ContributionResultSerializer(serializers.Serializer):
    """One local-contribution rule (P-FD-04…07) evaluated for one area."""

    area = serializers.CharField(help_text="区划代码")
    area_name = serializers.CharField()
    policy_ref = serializers.CharField()
    parameter = serializers.CharField(help_text="政策参数代码")
    label = serializers.CharField()
    measured = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True,
                                        help_text="比例为小数（0.4 = 40 %），金额为元")
    measured_text = serializers.CharField()
    target = serializers.CharField(help_text="目标说明")
    below_target = serializers.BooleanField(allow_null=True, help_text="null 表示无法计算（如上级资金为 0）")
    detail = serializers.CharField()
    citation = serializers.CharField()


class SpendRatioSerializer(serializers.Serializer):
    area = serializers.CharField()
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    total = RatioRowSerializer()
    by_source = RatioRowSerializer(many=True)
    by_area = RatioRowSerializer(many=True)
    local_contribution = serializers.DictField()
    contribution_targets = ContributionResultSerializer(many=True)
