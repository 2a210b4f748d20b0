from django import template

register = template.Library()


@register.filter
def thousands(value):
    """12345678 → 12,345,678: the separator the press uses for the season's figures (the zh-hans
    locale has none)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
