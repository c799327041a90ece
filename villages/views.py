from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from povalleviation.access import Capability
from povalleviation.views import CapabilityRequiredMixin, ScopedListView
from villages.choices import AreaLevel
from villages.models import Area
from villages.selectors import area_children, area_list


class AreaListView(ScopedListView):
    model = Area
    required_capability = Capability.AREA_VIEW
    template_name = "villages/area_list.html"

    def get_queryset(self):
        level = self.request.GET.get("level") or None
        if level not in AreaLevel.values:
            level = None
        return area_list(user=self.request.user, level=level, query=self.request.GET.get("q", "").strip() or None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["levels"] = AreaLevel.choices
        context["selected_level"] = self.request.GET.get("level", "")
        context["query"] = self.request.GET.get("q", "")
        return context


class AreaDetailView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.AREA_VIEW
    template_name = "villages/area_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = get_object_or_404(
            Area.objects.visible_to(self.request.user, Capability.AREA_VIEW).select_related("parent"), code=kwargs["code"]
        )
        context["area"] = area
        context["ancestors"] = list(Area.objects.ancestors_of(area))
        visible_codes = set(
            Area.objects.visible_to(self.request.user, Capability.AREA_VIEW)
            .filter(code__in=[a.code for a in context["ancestors"]])
            .values_list("code", flat=True)
        )
        context["visible_ancestor_codes"] = visible_codes
        context["children"] = area_children(user=self.request.user, area=area)
        context["profiles"] = area.year_profiles.order_by("-year")[:5]
        return context
