"""Form fields for 所在地区 (省 → 市) and 归口单位, shared by every form that asks for them.

Both work without JavaScript: the city list is grouped by province, and a unit
can be typed by its exact name. With JavaScript (static/js/region-cascade.js,
static/js/unit-autocomplete.js) the city list follows the province without a
reload and the unit is picked from the matches as one types.
"""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy

from kepuri.text import TextChecks
from kepuri.widgets import QuickSelect

from . import jurisdiction
from .jurisdiction import SupervisorType
from .models import Region, SupervisingUnit
from .selectors import grouped_city_choices


class ProvinceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "所在地区（省）")
        kwargs.setdefault("empty_label", "请选择省份")
        kwargs.setdefault(
            "error_messages", {"required": "请选择所在省份", "invalid_choice": "请选择所在省份"}
        )
        super().__init__(queryset=Region.objects.provinces(), to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return obj.name


class CitySelect(QuickSelect):
    """The cities under optgroups of their provinces; ``data-province-select`` links the cascade."""

    def __init__(self, province_field="province", attrs=None):
        super().__init__(attrs={"data-province-select": f"id_{province_field}", **(attrs or {})})

    def get_context(self, name, value, attrs):
        self.choices = [("", "请选择城市"), *grouped_city_choices()]
        return super().get_context(name, value, attrs)


class CityField(forms.ModelChoiceField):
    widget = CitySelect

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "所在地区（市）")
        kwargs.setdefault(
            "error_messages", {"required": "请选择所在城市", "invalid_choice": "请选择所在城市"}
        )
        super().__init__(
            queryset=Region.objects.cities().select_related("parent"), to_field_name="code", **kwargs
        )


class UnitAutocompleteWidget(forms.Widget):
    """A text box that offers matching units as one types, and a hidden input with the chosen id.

    Without JavaScript the typed text is sent instead of the id, and the field
    accepts it when it is a unit's exact full or short name.
    """

    template_name = "directory/widgets/unit_autocomplete.html"

    def __init__(self, *, type_field="supervisor_type", region_field="region", attrs=None):
        super().__init__(attrs)
        self.type_field, self.region_field = type_field, region_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        unit = None
        if value and str(value).isdigit():
            unit = SupervisingUnit.objects.filter(pk=value).first()
        context["widget"].update(
            unit=unit,
            text=unit.name if unit else ("" if str(value or "").isdigit() else value or ""),
            url=reverse_lazy("directory:unit_autocomplete"),
            type_name=self.type_field,
            region_input=f"id_{self.region_field}",
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name) or data.get(f"{name}_text", "").strip()


class UnitField(forms.ModelChoiceField):
    """An active unit, chosen by id from the autocomplete or typed by its exact name."""

    widget = UnitAutocompleteWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "归口单位")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"invalid_choice": "请从检索结果中选择归口单位（输入名称或拼音首字母后点击）"}
        )
        super().__init__(queryset=SupervisingUnit.objects.active(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if str(value).isdigit():
            return super().to_python(value)
        match = self.queryset.filter(Q(name=value) | Q(short_name=value)).first()
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return match


class SupervisorForm(TextChecks, forms.Form):
    """所在地区 and 归口单位, checked together as SPEC §5 asks (the activity form builds on it)."""

    province = ProvinceField()
    region = CityField()
    supervisor_type = forms.ChoiceField(
        label="归口单位类型",
        choices=SupervisorType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择归口单位类型"},
        help_text="归口单位是指本活动上级动员和审核单位。",
    )
    supervisor = UnitField()
    supervisor_name = forms.CharField(
        label="归口单位名称",
        required=False,
        max_length=100,
        help_text="归口单位选择“其他”时，请输入单位名称全称。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = self.supervisor_layout()

    @staticmethod
    def supervisor_layout():
        """The fields' layout; the scripts find the two alternatives by their data attributes."""
        return Layout(
            Row(Column("province", css_class="col-sm-6"), Column("region", css_class="col-sm-6")),
            InlineRadios("supervisor_type"),
            Div("supervisor", data_supervisor_unit=""),
            Div("supervisor_name", data_supervisor_other=""),
        )

    def clean(self):
        cleaned = super().clean()
        province, region = cleaned.get("province"), cleaned.get("region")
        if province and region and region.parent_id != province.pk:
            self.add_error("region", "所选城市不在所选省份内")
            region = None
        kind = cleaned.get("supervisor_type")
        if kind == SupervisorType.OTHER:
            cleaned["supervisor"] = None
        if kind and "supervisor" not in self.errors:
            try:
                jurisdiction.validate_supervisor(
                    supervisor_type=kind,
                    unit=cleaned.get("supervisor"),
                    region=region,
                    other_name=cleaned.get("supervisor_name") or "",
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def owning_unit(self) -> SupervisingUnit:
        """The unit the activity will belong to (after ``is_valid()``)."""
        data = self.cleaned_data
        return jurisdiction.owning_unit(
            supervisor_type=data["supervisor_type"], unit=data["supervisor"], region=data["region"]
        )
