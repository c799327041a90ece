from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import AuditEventSerializer, MeSerializer
from accounts.filters import AuditEventFilter
from accounts.models import AuditEvent
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedReadOnlyViewSet


class MeView(APIView):
    """The signed-in user, his posts and capabilities."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit log of the auditor's areas."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    default_capability = Capability.AUDIT_VIEW
    list_select_related = ("actor",)
    ordering_default = ("-at", "-id")
    # The auditor page's filters: user, action (or "user.*"), area, date_from/date_to, outcome, q.
    filterset_class = AuditEventFilter
