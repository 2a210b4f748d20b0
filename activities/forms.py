"""The wizard's forms: 活动填报 (step 2) and 补充活动信息 (step 3)."""

from crispy_forms.bootstrap import InlineRadios, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import format_html

from directory.forms import SupervisorForm
from kepuri.text import TextChecks, invisible_character
from kepuri.uploads import MB, ImageUploadField, MultipleFileField, Rendition, process_image

from .deadlines import format_day
from .models import Activity, ActivityCategory, StagedPoster
from .reports import REQUIRED_MESSAGES, Report, join_names, split_names

POSTER_MAX_BYTES = 5 * MB
POSTER_RENDITIONS = (Rendition("list", 640, 400), Rendition("page", 1280, 1280))
PHOTO_RENDITIONS = (Rendition("list", 480, 360),)
MAX_PHOTOS = 9
MAX_LINKS = 10


class HttpURLValidator(URLValidator):
    """http:// or https:// only, and no control character (Django's validator lets a NUL through)."""

    def __call__(self, value):
        if isinstance(value, str) and invisible_character(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


http_url = HttpURLValidator(schemes=["http", "https"], message="请输入以 http:// 或 https:// 开头的有效网址")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class NamesField(forms.CharField):
    """主办单位 / 承办单位: several names separated by "，"; cleans to a list."""

    def to_python(self, value):
        return split_names(super().to_python(value))

    def prepare_value(self, value):
        return join_names(value) if isinstance(value, list) else value

    def validate(self, value):
        super().validate(value)
        if any(len(name) > 100 for name in value):
            raise forms.ValidationError("每个单位名称不能超过100个字")


def _submit_button(label, name, css="btn-primary", **attrs):
    return StrictButton(label, type="submit", name=name, value="1", css_class=f"btn {css}", **attrs)


def poster_field(*, required: bool = False) -> ImageUploadField:
    """活动宣传图: checked by content, re-encoded in the sizes the pages need."""
    return ImageUploadField(
        required=required,
        label="活动宣传图",
        max_bytes=POSTER_MAX_BYTES,
        renditions=POSTER_RENDITIONS,
        help_text="上传的活动宣传图将在科普日网站进行宣传展示，建议上传精美图片吸引大众用户前来参与。"
        "支持 JPEG、PNG、WebP 格式，不超过 5 MB。",
        error_messages={"required": REQUIRED_MESSAGES["poster"]},
    )


class PosterForm(forms.Form):
    """活动宣传图 on its own: a client sends it before the report that names it (the API's /my/posters/)."""

    poster = poster_field(required=True)


class ReportForm(SupervisorForm):
    """活动填报. 暂存 keeps what is filled in (only 活动名称 is needed); 保存并下一步 asks for all."""

    activity_type = forms.ChoiceField(
        label="活动类型",
        choices=Activity.Type.choices,
        widget=forms.RadioSelect,
        help_text="请先选择活动类型，再根据不同的活动类型填写相应的活动信息。",
    )
    name = forms.CharField(label="活动名称", max_length=100)
    starts_at = forms.DateTimeField(label="活动开始时间", widget=DateTimeLocalInput)
    ends_at = forms.DateTimeField(label="活动结束时间", widget=DateTimeLocalInput)
    category = forms.ModelChoiceField(
        label="活动类别", queryset=ActivityCategory.objects.none(), empty_label="请选择"
    )
    description = forms.CharField(label="活动简介", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    address = forms.CharField(label="活动地址", max_length=200, help_text="线下活动的举办地点。")
    url = forms.CharField(
        label="活动网址",
        max_length=500,
        validators=[http_url],
        help_text="如开展网络活动须提供活动网址信息（http:// 或 https:// 开头）。",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    hosts = NamesField(
        label="主办单位",
        help_text="需输入与单位公章保持一致的单位名称，输入多个单位名称时，中间使用中文逗号“，”隔开。",
    )
    organizers = NamesField(
        label="承办单位",
        required=False,
        help_text="选填；多个单位名称之间使用中文逗号“，”隔开。",
    )
    poster = poster_field()
    staged_poster = forms.UUIDField(required=False, widget=forms.HiddenInput)
    is_public = forms.TypedChoiceField(
        label="是否在云上科普日展示",
        choices=[("1", "是"), ("0", "否")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
        help_text="选择“是”，将在科普日网站上展示您填报的活动；选择“否”，则不展示。"
        "倡导各活动举办单位将您的活动在科普日网站上进行展示。",
    )

    # Always shown with * (SPEC §5); 活动地址 / 活动网址 by type; 活动宣传图 may already be there.
    SHOWN_REQUIRED = (
        "activity_type",
        "name",
        "starts_at",
        "ends_at",
        "category",
        "description",
        "hosts",
        "poster",
    )

    def __init__(self, *args, campaign, owner, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.owner, self.activity = campaign, owner, activity
        self.submitting = "save_draft" not in self.data
        self.fields["category"].queryset = campaign.categories.active()
        for name, field in self.fields.items():
            if name in REQUIRED_MESSAGES:
                field.error_messages["required"] = REQUIRED_MESSAGES[name]
            if name in self.SHOWN_REQUIRED or name in (
                "address",
                "url",
                "supervisor_type",
                "region",
                "province",
            ):
                field.required = True
        # The browser must let 暂存 through with empty fields: the server decides.
        self.use_required_attribute = False
        self.staged = None
        self.fields[
            "starts_at"
        ].help_text = (
            f"活动时间须在{format_day(campaign.report_opens)}至{format_day(campaign.summary_closes)}之间。"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = self.layout()

    def layout(self):
        poster_note = HTML('{% include "activities/poster_note.html" %}')
        return Layout(
            InlineRadios("activity_type"),
            Fieldset(
                "活动信息",
                "name",
                Row(Column("starts_at", css_class="col-sm-6"), Column("ends_at", css_class="col-sm-6")),
                Row(Column("province", css_class="col-sm-6"), Column("region", css_class="col-sm-6")),
                "category",
                "description",
                Div("address", data_show_for="offline hybrid"),
                Div("url", data_show_for="online hybrid"),
            ),
            Fieldset(
                "归口单位",
                InlineRadios("supervisor_type"),
                Div("supervisor", data_supervisor_unit=""),
                Div("supervisor_name", data_supervisor_other=""),
            ),
            Fieldset("活动组织架构", "hosts", "organizers"),
            Fieldset("活动宣传", poster_note, "poster", "staged_poster", InlineRadios("is_public")),
        )

    def full_clean(self):
        """暂存 needs only a name; 保存并下一步 needs 活动地址 / 活动网址 as the type says."""
        if not self.is_bound:
            pass
        elif not self.submitting:
            for name, field in self.fields.items():
                field.required = name == "name"
        else:
            report = Report(activity_type=self.data.get("activity_type", ""))
            self.fields["address"].required = report.needs_address
            self.fields["url"].required = report.needs_url
            self.fields["poster"].required = False  # it may be there already: Report.problems decides
        super().full_clean()

    def keep_poster(self, staged: StagedPoster) -> None:
        """Show ``staged`` as the chosen poster when the form is shown again."""
        self.staged = staged
        self.data = self.data.copy()
        self.data["staged_poster"] = str(staged.pk)

    def clean_staged_poster(self):
        token = self.cleaned_data.get("staged_poster")
        self.staged = StagedPoster.objects.filter(pk=token, owner=self.owner).first() if token else None
        return self.staged

    def clean(self):
        cleaned = super().clean()
        # 所在地区 and 归口 were checked by SupervisorForm; 暂存 tolerates what is still missing.
        if not self.submitting:
            for name in ("province", "region", "supervisor_type", "supervisor", "supervisor_name"):
                if name in self.errors and not self.data.get(name) and not self.data.get(f"{name}_text"):
                    del self.errors[name]
        report = self.report()
        if self.submitting:
            has_poster = bool(cleaned.get("poster") or cleaned.get("staged_poster"))
            has_poster = has_poster or bool(self.activity and self.activity.poster)
            for field, message in report.problems(campaign=self.campaign, has_poster=has_poster).items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for field, message in report.time_problems(self.campaign).items():
                self.add_error(field, message)
        return cleaned

    def report(self) -> Report:
        data = self.cleaned_data
        return Report(
            activity_type=data.get("activity_type") or "",
            name=(data.get("name") or "").strip(),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            region=data.get("region"),
            category=data.get("category"),
            description=(data.get("description") or "").strip(),
            address=(data.get("address") or "").strip(),
            url=(data.get("url") or "").strip(),
            supervisor_type=data.get("supervisor_type") or "",
            supervisor=data.get("supervisor"),
            supervisor_name=(data.get("supervisor_name") or "").strip(),
            hosts=data.get("hosts") or [],
            organizers=data.get("organizers") or [],
            is_public=data.get("is_public") not in (False,),
        )

    def poster_upload(self):
        """The new poster: uploaded now, or kept from a previous try (``StagedPoster``)."""
        return self.cleaned_data.get("poster") or self.cleaned_data.get("staged_poster")

    @staticmethod
    def initial_from(report: Report) -> dict:
        initial = {
            "activity_type": report.activity_type,
            "name": report.name,
            "starts_at": report.starts_at,
            "ends_at": report.ends_at,
            "region": report.region.code if report.region else None,
            "province": report.region.parent.code if report.region else None,
            "category": report.category,
            "description": report.description,
            "address": report.address,
            "url": report.url,
            "supervisor_type": report.supervisor_type,
            "supervisor": report.supervisor.pk if report.supervisor else None,
            "supervisor_name": report.supervisor_name,
            "hosts": report.hosts,
            "organizers": report.organizers,
            "is_public": "1" if report.is_public else "0",
        }
        return {key: value for key, value in initial.items() if value not in (None, "", [])}


class PhotosField(MultipleFileField):
    def clean_one(self, upload):
        return process_image(upload, max_bytes=POSTER_MAX_BYTES, renditions=PHOTO_RENDITIONS)


class LinksField(forms.CharField):
    """Links, one a line, each an http(s) URL."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "https://"})

    def to_python(self, value):
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_LINKS:
            raise forms.ValidationError(f"最多填写 {MAX_LINKS} 个链接")
        errors = []
        for url in value:
            try:
                http_url(url)
            except forms.ValidationError:
                errors.append(f"“{url[:80]}”不是以 http:// 或 https:// 开头的有效网址")
        if errors:
            raise forms.ValidationError(errors)


class SupplementForm(TextChecks, forms.Form):
    """补充活动信息: photos, video links, news links."""

    photos = PhotosField(
        label="活动图片",
        max_files=MAX_PHOTOS,
        accept="image/jpeg,image/png,image/webp",
        help_text=f"最多 {MAX_PHOTOS} 张，支持 JPEG、PNG、WebP 格式，每张不超过 5 MB。可一次选择多张。",
    )
    video_links = LinksField(
        label="视频链接", required=False, help_text="视频请发布在视频网站上，在此填写链接，每行一个。"
    )
    news_links = LinksField(label="新闻报道链接", required=False, help_text="每行一个。")

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        url_note = HTML("")
        if activity.is_online and activity.url:
            url_note = HTML(
                format_html(
                    '<div class="mb-3"><div class="form-label">活动网址</div>'
                    '<a href="{0}" rel="noopener" target="_blank">{0}</a>'
                    '<div class="form-text">如需修改活动网址，请在用户中心“编辑活动”。</div></div>',
                    activity.url,
                )
            )
        self.helper.layout = Layout("photos", "video_links", "news_links", url_note)
