"""The API of eligibility results and recompute runs."""
