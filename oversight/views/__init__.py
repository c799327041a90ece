from .complaints import ComplaintActionView, ComplaintCreateView, ComplaintDetailView, ComplaintListView
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
    "ComplaintActionView", "ComplaintCreateView", "ComplaintDetailView", "ComplaintListView", "EvidenceDownloadView",
    "InspectionAddItemsView", "InspectionCreateView", "InspectionDetailView", "InspectionListView", "ItemActionView", "ItemDetailView",
    "LedgerView",
]
