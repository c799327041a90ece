"""Writes of the oversight app; import the services from here."""
from .complaints import (
    complaint_assign,
    complaint_close,
    complaint_contact_reveal,
    complaint_receive,
    complaint_reply,
    complaint_set_deadline,
    complaint_start_handling,
    complaint_step,
    default_reply_deadline,
    may_see_contact,
)
from .rectification import (
    escalation_record,
    finding_add,
    inspection_create,
    inspection_items_add,
    item_evidence_snapshot,
    rectification_item_close,
    rectification_item_create,
    rectification_item_reopen,
    rectification_item_set_deadline,
    rectification_item_submit,
    rectification_item_verify,
    rectification_progress_add,
)

__all__ = [
    "complaint_assign", "complaint_close", "complaint_contact_reveal", "may_see_contact", "complaint_receive", "complaint_reply", "complaint_set_deadline",
    "complaint_start_handling", "complaint_step", "default_reply_deadline", "escalation_record", "finding_add", "inspection_create", "inspection_items_add",
    "item_evidence_snapshot", "rectification_item_close", "rectification_item_create", "rectification_item_reopen",
    "rectification_item_set_deadline", "rectification_item_submit", "rectification_item_verify",
    "rectification_progress_add",
]
