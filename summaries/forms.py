from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.files.base import ContentFile

from kepuri.text import TextChecks
from kepuri.uploads import MB, MultipleFileField, UploadRejected, check_pdf, process_image

MAX_ATTACHMENTS = 5
ATTACHMENT_MAX_BYTES = 10 * MB


@dataclass(frozen=True)
class Attachment:
    kind: str
    name: str
    content: ContentFile


class AttachmentsField(MultipleFileField):
    """Up to 5 images or PDF files, 10 MB each, told apart by their content."""

    def clean_one(self, upload):
        upload.seek(0)
        if upload.read(5) == b"%PDF-":
            check_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
            upload.seek(0)
            return Attachment("pdf", upload.name, ContentFile(upload.read(), name="attachment.pdf"))
        try:
            image = process_image(upload, max_bytes=ATTACHMENT_MAX_BYTES, renditions=())
        except UploadRejected as exc:
            if exc.code == "not_image":
                raise UploadRejected(f"“{upload.name}”不是图片或 PDF 文件", code="not_image") from exc
            raise
        return Attachment("image", upload.name, image.files["original"])


class SummaryForm(TextChecks, forms.Form):
    text = forms.CharField(
        label="活动总结",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "请填写活动总结"},
    )
    participants = forms.IntegerField(
        label="活动参与人数",
        min_value=0,
        max_value=100_000_000,
        error_messages={
            "required": "请填写活动参与人数",
            "invalid": "请输入整数",
            "min_value": "参与人数不能为负数",
            "max_value": "参与人数过大，请核对",
        },
    )
    attachments = AttachmentsField(
        label="附件",
        max_files=MAX_ATTACHMENTS,
        accept="image/jpeg,image/png,image/webp,application/pdf",
        help_text=f"选填，最多 {MAX_ATTACHMENTS} 个图片或 PDF 文件，每个不超过 10 MB。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("text", "participants", "attachments")
