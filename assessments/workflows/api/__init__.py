"""The API of the verification workflows and announcements."""
