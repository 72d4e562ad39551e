"""Documents people upload — receipts, written applications, evidence: a phone photo or a PDF, made
safe before they are stored (issue 12).

A photo goes through the same cleaning as every phone photo (``zhucun.photos.photo_clean``: size and
pixel limits, Pillow's decompression-bomb guard, re-encoded as JPEG so EXIF and GPS are dropped).
A PDF is parsed by pypdf and *rebuilt from its pages only*: the document catalogue — where scripts
(/JavaScript, /OpenAction), embedded files and forms live — is not copied, and each page loses its
annotations and page actions (/Annots, /AA). What is stored is therefore a plain printable document
whatever was uploaded. Files are served as downloads with ``nosniff`` and a sandboxing CSP, never
inline (``zhucun.documents.download_response``)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject

from zhucun.photos import photo_clean

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 20
_PDF_MAGIC = b"%PDF-"


@dataclasses.dataclass(frozen=True)
class CleanDocument:
    kind: str  # "image" or "pdf"
    content: ContentFile[bytes]
    original_name: str
    size: int
    sha256: str


def document_clean(upload: IO[bytes], *, field: str) -> CleanDocument:
    """The stored form of an uploaded photo or PDF, or a ValidationError naming ``field``."""
    name = str(getattr(upload, "name", "") or "")[-200:]
    head = upload.read(len(_PDF_MAGIC))
    upload.seek(0)
    if head == _PDF_MAGIC:
        content = _pdf_clean(upload, field=field)
        kind = "pdf"
    else:
        content = photo_clean(upload, field=field)
        kind = "image"
    data = content.read()
    content.seek(0)
    return CleanDocument(
        kind=kind, content=content, original_name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def _pdf_clean(upload: IO[bytes], *, field: str) -> ContentFile[bytes]:
    too_big = ValidationError({field: [f"文件不能超过 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB。"]})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise too_big
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_big
    unreadable = ValidationError({field: ["无法识别这份 PDF，请重新导出或改为拍照上传。"]})
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError({field: ["PDF 设有密码，请去掉密码后再上传。"]})
        pages = len(reader.pages)
        if pages == 0:
            raise unreadable
        if pages > MAX_PDF_PAGES:
            raise ValidationError({field: [f"PDF 文件不能超过 {MAX_PDF_PAGES} 页，请拆分后上传。"]})
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in ("/Annots", "/AA"):
                if NameObject(key) in added:
                    del added[NameObject(key)]
        buffer = io.BytesIO()
        writer.write(buffer)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise unreadable from None
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.pdf")


def download_response(file: Any, *, filename: str, kind: str) -> FileResponse:
    """A stored document as a download: never rendered inline, never sniffed, sandboxed, not cached."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf" if kind == "pdf" else "image/jpeg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
