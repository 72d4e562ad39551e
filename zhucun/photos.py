"""Photos from phones: optional, size-checked, decoded with Pillow's decompression-bomb guard, and
re-encoded as JPEG so that EXIF — including the GPS position — is dropped (SPEC.md "Light on the
cadres")."""

from __future__ import annotations

import io
import uuid
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel phone camera; Pillow refuses 2× this as a bomb
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}
MAX_SIDE = 2048


def photo_clean(upload: IO[bytes], *, field: str = "photo") -> ContentFile[bytes]:
    """A JPEG copy of the photo without metadata, at most MAX_SIDE pixels on its longer side."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError({field: [f"照片不能超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB，请压缩后重新上传。"]})
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({field: [f"照片不能超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB，请压缩后重新上传。"]})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError({field: ["照片格式应为 JPG、PNG 或 WEBP。"]})
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise ValidationError({field: ["照片像素过大，请用手机相机的普通模式拍摄。"]})
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise ValidationError({field: ["无法识别这张照片，请重新拍摄或选择 JPG、PNG 图片。"]}) from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata dropped
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
