from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedReadOnlyViewSet
from villages.api.serializers import AreaSerializer
from villages.filters import AreaFilter
from villages.models import Area


class AreaViewSet(ScopedReadOnlyViewSet):
    """Areas the user may see: the subtree of each of his posts."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    default_capability = Capability.AREA_VIEW
    list_select_related = ("parent",)
    ordering_default = ("code",)
    lookup_field = "code"
