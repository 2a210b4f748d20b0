from django import template

from kepuri import idempotency

register = template.Library()


@register.simple_tag
def form_token():
    """The hidden field that makes a double click answer as the first click did (``kepuri.idempotency``):
    put it inside every form whose view is wrapped with ``once_per_form_token``."""
    return idempotency.hidden_field()
