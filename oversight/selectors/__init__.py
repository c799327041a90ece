"""Reads of the oversight app: scoped ledger queries for pages and the API, and the as-of summaries the
quarterly report calls (``rectification_summary``, ``complaint_summary``)."""
from .ledger import (
    category_status_matrix,
    complaint_detail,
    complaint_list,
    inspection_detail,
    inspection_list,
    item_categories,
    item_detail,
    item_list,
    overdue_items_q,
)
from .summary import complaint_summary, complaints_as_of, items_as_of, rectification_summary

__all__ = [
    "category_status_matrix", "complaint_detail", "complaint_list", "complaint_summary",
    "complaints_as_of", "inspection_detail", "inspection_list", "item_categories", "item_detail", "item_list",
    "items_as_of", "overdue_items_q", "rectification_summary",
]
