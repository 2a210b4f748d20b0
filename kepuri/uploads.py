"""Uploaded images and documents, checked by their content and never trusted by their name.

Images: JPEG, PNG or WebP as Pillow reads them (not as the file name or the
browser says), within a byte limit and a pixel limit (Pillow's decompression
bomb guard, as an error rather than a warning). Each accepted image is
re-encoded: EXIF orientation applied, metadata (GPS, comments) dropped, and the
sizes the pages need made once, at upload. What is stored is only JPEG that we
encoded from the decoded pixels, under a random name with ``.jpg`` that we
choose: nothing of the upload's bytes (HTML after the image data, a script in a
comment) and nothing of its name or extension survives.

Documents: PDF by its signature.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MB = 1024 * 1024
# The types of what is stored, by the extension we chose: each file goes out with this type
# (Django's media view, and the objects' ContentType on a bucket: kepuri/storage.py).
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}

# Process-wide: a 48-megapixel phone photo passes, a decompression bomb does not.
# Pillow warns above this and fails at twice it; open_image fails on the warning too.
Image.MAX_IMAGE_PIXELS = 60_000_000


class UploadRejected(forms.ValidationError):
    pass


@dataclass(frozen=True)
class Rendition:
    """One size to make: fit within ``width`` × ``height`` (never enlarged)."""

    name: str
    width: int
    height: int


def _name_of(upload) -> str:
    return getattr(upload, "name", "") or "文件"


def check_size(upload, *, max_bytes: int) -> None:
    if upload.size > max_bytes:
        raise UploadRejected(
            f"“{_name_of(upload)}”超过 {max_bytes // MB} MB，请压缩后再上传", code="too_large"
        )


def open_image(upload, *, max_bytes: int) -> Image.Image:
    """The image in ``upload``, fully decoded, or ``UploadRejected`` saying why not."""
    check_size(upload, max_bytes=max_bytes)
    name = _name_of(upload)
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in IMAGE_FORMATS:
                raise UploadRejected(f"“{name}”不是 JPEG、PNG 或 WebP 图片", code="not_image")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected(f"“{name}”的像素尺寸过大，请缩小后再上传", code="too_many_pixels") from exc
    except UploadRejected:
        raise
    except Exception as exc:  # Pillow raises many kinds for a file that is no image
        raise UploadRejected(
            f"“{name}”不是有效的图片，请上传 JPEG、PNG 或 WebP 格式", code="not_image"
        ) from exc
    return image


def _as_jpeg(image: Image.Image, rendition: Rendition | None) -> ContentFile:
    image = image.copy()
    if rendition:
        image.thumbnail((rendition.width, rendition.height), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    # Pixels only: Pillow would copy the upload's JPEG comment (any bytes, a script too) into ours.
    image.info.clear()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue())


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted image: ``files`` maps ``original`` and each rendition name to a JPEG."""

    name: str
    files: dict[str, ContentFile]


def process_image(upload, *, max_bytes: int, renditions: tuple[Rendition, ...]) -> ProcessedImage:
    """Check ``upload`` and return its re-encoded JPEGs: ``original`` (≤ 2560 px) and each rendition."""
    image = ImageOps.exif_transpose(open_image(upload, max_bytes=max_bytes))
    token = uuid.uuid4().hex[:12]
    files = {"original": _as_jpeg(image, Rendition("original", 2560, 2560))}
    files.update({r.name: _as_jpeg(image, r) for r in renditions})
    for key, content in files.items():
        content.name = f"{token}-{key}.jpg"
    return ProcessedImage(name=_name_of(upload), files=files)


class ImageUploadField(forms.FileField):
    """An image checked by content; cleans to a ``ProcessedImage``."""

    def __init__(self, *, max_bytes: int, renditions: tuple[Rendition, ...] = (), **kwargs):
        self.max_bytes, self.renditions = max_bytes, renditions
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial or not hasattr(upload, "size"):
            return None
        return process_image(upload, max_bytes=self.max_bytes, renditions=self.renditions)


def check_pdf(upload, *, max_bytes: int) -> None:
    check_size(upload, max_bytes=max_bytes)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise UploadRejected(f"“{_name_of(upload)}”不是有效的 PDF 文件", code="not_pdf")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, ``max_files`` at most, each cleaned by ``clean_one``."""

    def __init__(self, *, max_files: int, accept: str = "", **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept} if accept else {}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise forms.ValidationError(f"最多上传 {self.max_files} 个文件，您选择了 {len(files)} 个")
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(self.clean_one(super().clean(upload, initial)))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned

    def clean_one(self, upload):
        return upload
