"""Models of this app are added by the capability that needs them."""
