"""The API of policy parameters: /api/v1/policy-parameters/."""
