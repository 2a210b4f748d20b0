from django import forms

from activities.deadlines import Window
from kepuri.text import TextChecks

from .models import Recommendation


class DecisionForm(TextChecks, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "审核通过"), ("reject", "审核未通过")])
    reason = forms.CharField(
        label="审核未通过的原因",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "审核未通过时必填，将告知填报单位"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "请填写审核未通过的原因")
        return cleaned


class ExtensionForm(TextChecks, forms.Form):
    window = forms.ChoiceField(label="延期事项", choices=Window.choices)
    last_day = forms.DateField(label="延至（含当日）", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="延期原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RecommendationForm(TextChecks, forms.Form):
    kind = forms.ChoiceField(label="推荐类型", choices=Recommendation.Kind.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="推荐理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
