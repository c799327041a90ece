"""村册, 乡簿 and the county summary: printable lists with totals by status and cause."""
from abc import ABC, abstractmethod

from django.views.generic import TemplateView

from households import selectors
from povalleviation.access import Capability
from povalleviation.personal_data import export_mark
from povalleviation.views import CapabilityRequiredMixin
from villages.choices import AreaLevel


class _BookView(CapabilityRequiredMixin, TemplateView, ABC):
    """One area of the user's scope (``level``), its book (``book_context``) and the export mark of ``title``."""

    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/area_book.html"
    level: str
    title: str
    page_context: dict = {}

    @abstractmethod
    def book_context(self, area) -> dict:
        ...

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = selectors.scoped_area(user=self.request.user, code=kwargs["code"], levels={self.level})
        context.update(area=area, **self.page_context,
                       export_mark=export_mark(user=self.request.user, purpose=f"查阅、打印{self.title}"),
                       **self.book_context(area))
        return context


class VillageRegisterView(_BookView):
    template_name = "households/village_register.html"
    level, title = AreaLevel.VILLAGE, "村册"

    def book_context(self, area) -> dict:
        return selectors.village_register(user=self.request.user, village=area)


class TownshipBookView(_BookView):
    level, title = AreaLevel.TOWNSHIP, "乡簿"
    page_context = {"title": title, "child_label": "行政村", "child_url": "households:village_register"}

    def book_context(self, area) -> dict:
        return selectors.township_book(user=self.request.user, township=area)


class CountySummaryView(_BookView):
    level, title = AreaLevel.COUNTY, "县汇总"
    page_context = {"title": title, "child_label": "乡镇", "child_url": "households:township_book"}

    def book_context(self, area) -> dict:
        return selectors.county_summary(user=self.request.user, county=area)
