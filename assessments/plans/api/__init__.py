"""The API of annual exit plans and plan-versus-actual figures."""
