"""Bearer tokens on every API request: ``Authorization: Bearer kpa_…`` (``accounts.tokens``).

No cookie and no session is read, so there is nothing for a cross-site request
to borrow and no CSRF token to send. A request without the header is anonymous;
one with a bad, expired or revoked token is refused (401), never treated as
anonymous, so that a client learns at once that it must refresh or sign in again.
"""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts import tokens

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("访问令牌格式有误，应为 Authorization: Bearer <令牌>")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("访问令牌格式有误") from exc
        user = tokens.user_for(raw)
        if user is None:
            raise AuthenticationFailed(tokens.EXPIRED)
        return user, raw

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
