from .complaints import (
    ComplaintActionView,
    ComplaintContactRevealView,
    ComplaintCreateView,
    ComplaintDetailView,
    ComplaintListView,
)
from .rectification import (
    EvidenceDownloadView,
    InspectionAddItemsView,
    InspectionCreateView,
    InspectionDetailView,
    InspectionListView,
    ItemActionView,
    ItemDetailView,
    LedgerView,
)

__all__ = [
    "ComplaintActionView", "ComplaintContactRevealView", "ComplaintCreateView", "ComplaintDetailView", "ComplaintListView", "EvidenceDownloadView",
    "InspectionAddItemsView", "InspectionCreateView", "InspectionDetailView", "InspectionListView", "ItemActionView", "ItemDetailView",
    "LedgerView",
]
