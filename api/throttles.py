"""How often a client may call the API: per signed-in account and per client address.

Counted in the rate-limit store of ``accounts.ratelimits`` (Redis when
``REDIS_URL`` is set), so every app server counts the same requests. Fixed
windows of a minute, numbered by the application's clock (as the site's limits
read it): one increment a request, under the key of the current minute. The limits of SPEC §2 (SMS codes,
failed logins) are counted by the services as on the site, under the same keys,
on top of these. When the store cannot be reached, requests go on uncounted (as
logins do on the site) and the outage is logged.

The public reads (the list, an activity, the campaign, the directory) are the
same cached JSON for everyone, as the pages are, and like the pages they count
no visitor: a limit there would turn away a venue's phones behind one address
and protect nothing the public page does not show. A signed-in client's
requests count toward its account there too (``PUBLIC_READ``).
"""

import logging
import math
import time

from django.conf import settings
from limits.errors import StorageError
from rest_framework.throttling import BaseThrottle

from accounts import ratelimits
from kepuri.http import client_ip

logger = logging.getLogger(__name__)

WINDOW = 60  # seconds


class _PerMinute(BaseThrottle):
    scope = ""
    setting = ""

    def key(self, request) -> str | None:
        raise NotImplementedError

    @property
    def rate(self) -> int:
        return getattr(settings, self.setting)

    def allow_request(self, request, view):
        key = self.key(request)
        if key is None:
            return True
        now = time.time()
        minute = int(now // WINDOW)
        try:
            count = ratelimits.storage().incr(f"{self.scope}/{key}/{minute}", expiry=2 * WINDOW)
        except StorageError as exc:
            logger.error("Rate-limit store unreachable, API request not counted: %s", exc)
            return True
        if count <= self.rate:
            return True
        self.retry_after = max(1, math.ceil((minute + 1) * WINDOW - now))
        return False

    def wait(self):
        return self.retry_after


class AddressThrottle(_PerMinute):
    """``API_RATE_PER_ADDRESS`` requests a minute from one client address, signed in or not."""

    scope = "api-address"
    setting = "API_RATE_PER_ADDRESS"

    def key(self, request):
        return client_ip(request)


class AccountThrottle(_PerMinute):
    """``API_RATE_PER_ACCOUNT`` requests a minute for one signed-in account, over all its tokens."""

    scope = "api-account"
    setting = "API_RATE_PER_ACCOUNT"

    def key(self, request):
        return str(request.user.pk) if request.user.is_authenticated else None


PUBLIC_READ = [AccountThrottle]  # the throttles of the public reads: see the module's docstring
