from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from villages.selectors import home_areas


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's start page: the areas of its posts and what lies directly below them."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = home_areas(user=self.request.user)
        return context
