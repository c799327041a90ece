"""村册, 乡簿 and the county summary: printable lists with totals by status and cause."""
from django.views.generic import TemplateView

from households import selectors
from povalleviation.access import Capability
from povalleviation.personal_data import export_mark
from povalleviation.views import CapabilityRequiredMixin
from villages.choices import AreaLevel


class VillageRegisterView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/village_register.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village = selectors.scoped_area(user=self.request.user, code=kwargs["code"], levels={AreaLevel.VILLAGE})
        context.update(area=village, **selectors.village_register(user=self.request.user, village=village),
                       export_mark=export_mark(user=self.request.user, purpose="查阅、打印村册"))
        return context


class TownshipBookView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/area_book.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        township = selectors.scoped_area(user=self.request.user, code=kwargs["code"], levels={AreaLevel.TOWNSHIP})
        context.update(area=township, title="乡簿", child_label="行政村", child_url="households:village_register",
                       export_mark=export_mark(user=self.request.user, purpose="查阅、打印乡簿"),
                       **selectors.township_book(user=self.request.user, township=township))
        return context


class CountySummaryView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/area_book.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        county = selectors.scoped_area(user=self.request.user, code=kwargs["code"], levels={AreaLevel.COUNTY})
        context.update(area=county, title="县汇总", child_label="乡镇", child_url="households:township_book",
                       export_mark=export_mark(user=self.request.user, purpose="查阅、打印县汇总"),
                       **selectors.county_summary(user=self.request.user, county=county))
        return context
