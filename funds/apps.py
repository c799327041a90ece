from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "扶贫资金"

    def ready(self):
        from accounts.models import register_action_labels

        register_action_labels({
            "fund.allocate": "资金下达", "fund.publish": "公开资金分配结果", "fund.assign": "安排资金到项目",
            "fund.delay_record": "认定资金滞留延误原因", "disbursement.record": "登记报账",
            "disbursement.approve": "审核通过报账", "disbursement.reject": "退回报账",
        })

        from projects.close_checks import register_close_check

        from .services import unreviewed_vouchers_refusal

        register_close_check(unreviewed_vouchers_refusal)
