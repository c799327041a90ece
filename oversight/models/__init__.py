from .complaints import Complaint, ComplaintHistory
from .rectification import (
    Escalation,
    Finding,
    Inspection,
    ProgressNote,
    RectificationHistory,
    RectificationItem,
)

__all__ = [
    "Complaint", "ComplaintHistory", "Escalation", "Finding", "Inspection", "ProgressNote", "RectificationHistory",
    "RectificationItem",
]
