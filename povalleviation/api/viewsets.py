"""The base API viewset: each action declares its capability; rows come from ``visible_to``.

No capability anywhere → 403; a row outside the user's areas is simply not in the queryset → 404.
"""
from rest_framework import permissions, viewsets

from povalleviation.access import has_capability
from povalleviation.errors import NotFound

AREA_OUT_OF_SCOPE = "找不到该区域，或不在您的工作范围内。"


def visible_or_not_found(model, user, capability, message=AREA_OUT_OF_SCOPE, *, field_errors=None, **lookup):
    """The row of ``model`` matching ``lookup`` among those ``user`` sees for ``capability``; else NotFound(message)."""
    row = model.objects.visible_to(user, capability).filter(**lookup).first()
    if row is None:
        raise NotFound(message, field_errors=field_errors)
    return row


class HasActionCapability(permissions.BasePermission):
    message = "您没有执行此操作的权限。"

    def has_permission(self, request, view):
        capability = view.capability_for(view.action)
        return capability is not None and has_capability(request.user, capability)


class ScopedViewSetMixin:
    """Set ``queryset`` (the model's scoped manager) and ``capabilities = {action: capability}``.

    ``default_capability`` covers list/retrieve and any custom read action not named.
    """

    capabilities: dict[str, str] = {}
    default_capability: str | None = None
    # Ids (and area codes) are digits: /things/abc/ does not match the route and is a 404, never a lookup error.
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticated, HasActionCapability]

    def capability_for(self, action):
        return self.capabilities.get(action, self.default_capability if action in (None, "list", "retrieve", "metadata") else None)

    def get_queryset(self):
        capability = self.capability_for(self.action)
        return self.queryset.model.objects.visible_to(self.request.user, capability).select_related(
            *self.list_select_related
        ).order_by(*self.ordering_default)

    list_select_related: tuple = ()
    ordering_default: tuple = ("pk",)

    def validated_payload(self, serializer_class, **kwargs) -> dict:
        """The request body checked by ``serializer_class`` (400 on errors), as a plain dict."""
        payload = serializer_class(data=self.request.data, **kwargs)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def in_scope(self, model, capability, message=AREA_OUT_OF_SCOPE, *, field_errors=None, **lookup):
        """A row the user sees for ``capability`` (e.g. the area named in a payload), or 404 with ``message``."""
        return visible_or_not_found(model, self.request.user, capability, message, field_errors=field_errors, **lookup)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
