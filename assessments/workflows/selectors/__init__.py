"""Reads of the verification workflows (inboxes, details, area exits) and of announcements, scoped to the user."""
