"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python, the same markup as Django's templates produce.

    Django renders each option through a template; for the 449 cities of the
    region selects that was most of a list page's time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every part is built by format_html


class PrerenderedSelect(forms.Select):
    """A ``<select>`` whose options were rendered once, elsewhere (``options_html``, cached by the
    caller); a request only marks its chosen option."""

    options_html = ""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = str(self.options_html)
        chosen = [v for v in self.format_value(value) if v]
        if chosen:
            marker = format_html('<option value="{}">', chosen[0])
            options = options.replace(marker, f"{marker[:-1]} selected>", 1)
        return format_html("<select{}>", flatatt(final)) + mark_safe(options) + mark_safe("</select>")  # noqa: S308 -- built by format_html
