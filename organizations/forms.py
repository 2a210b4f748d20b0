from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from accounts.phone import canonical_contact_phone
from kepuri.text import TextChecks

from .models import Organization


class OrganizationForm(TextChecks, forms.ModelForm):
    """单位信息: also step 1 of 发布活动, where the button reads 保存并下一步."""

    class Meta:
        model = Organization
        fields = ["name", "contact_name", "contact_phone", "address", "description"]
        help_texts = {
            "name": "请填写与单位公章一致的单位全称。",
            "contact_phone": "手机号码，或带区号的固定电话（如 0971-6123456）。",
            "description": "选填，1000字以内。",
        }
        error_messages = {
            "name": {"required": "请填写单位名称"},
            "contact_name": {"required": "请填写填报人姓名"},
            "contact_phone": {"required": "请填写填报人电话"},
            "address": {"required": "请填写单位地址"},
        }
        widgets = {
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, submit_label="保存", form_tag=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = form_tag  # False inside a page's own <form> (发布活动's, with its token)
        self.helper.layout = Layout(
            "name",
            "contact_name",
            "contact_phone",
            "address",
            "description",
            StrictButton(submit_label, type="submit", css_class="btn btn-primary"),
        )

    def clean_contact_phone(self):
        return canonical_contact_phone(self.cleaned_data["contact_phone"])
