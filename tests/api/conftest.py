"""Clients of the API: anonymous, or signed in with a bearer token as a client app would be."""

import pytest
from rest_framework.test import APIClient

from accounts import tokens


def bearer(user) -> APIClient:
    """A client signed in as ``user`` (a fresh pair of tokens; only the access token is sent)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.issue(user).access}")
    return client


@pytest.fixture
def api():
    """An anonymous API client (no cookie is ever read by the API)."""
    return APIClient()


# The public side's people and activity, as the site's tests have them (tests/public/conftest.py).
from tests.public.conftest import approved, member, organiser  # noqa: E402, F401
