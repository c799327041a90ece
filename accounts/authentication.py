"""API token authentication: knox's hashed, expiring tokens, refused while the owner must change the password.

The page middleware sends such a user to the change-password page; an API client has no page, so a token
of an account whose password was reset by an administrator, or has expired, stops working until the owner
changes it on the web (and the tokens of a reset account end with its sessions anyway).
"""
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        if user.needs_password_change:
            raise exceptions.AuthenticationFailed(
                "该账号须先在网页上修改密码，修改后令牌方可使用。", code="password_change_required"
            )
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of this class (knox's), so the schema and `check --deploy` know it."""

    target_class = "accounts.authentication.TokenAuthentication"
