"""Pages of the verification workflows (mounted at /exits/)."""
