"""A double click as a browser sends it: the second POST leaves before the first one's answer arrives,
so it carries the cookies the first one carried (not the session or messages the first one set)."""

import copy
import re

from kepuri.idempotency import FIELD

TOKEN = re.compile(rf'name="{FIELD}" value="([^"]+)"')


def form_token(response, index=0) -> str:
    """The form token of the page's ``index``-th form that has one."""
    return TOKEN.findall(response.content.decode())[index]


def double_click(client, url, data, **extra):
    """POST ``data`` twice as a double click does; ``data`` may be a function making it (for files,
    which a POST reads to the end). Returns both answers; ``client`` keeps the second one's cookies."""
    make = data if callable(data) else lambda: data
    sent_with = copy.deepcopy(client.cookies)
    first = client.post(url, make(), **extra)
    client.cookies = sent_with
    second = client.post(url, make(), **extra)
    return first, second
