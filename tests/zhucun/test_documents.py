"""Receipt files are made safe before they are stored (issue 12: type, size and pixel limits, EXIF
stripped, never executed)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from zhucun.documents import MAX_PDF_PAGES, document_clean


def jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "receipt.jpg"
    return buffer


def _pdf(pages: int = 1, *, script: bool = False) -> io.BytesIO:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if script:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        writer._root_object[NameObject("/OpenAction")] = action
        page = writer.pages[0]
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    buffer = io.BytesIO()
    writer.write(buffer)
    buffer.seek(0)
    buffer.name = "receipt.pdf"
    return buffer


def test_a_photo_receipt_is_reencoded_without_exif_or_gps() -> None:
    source = jpeg_with_gps()
    assert Image.open(source).getexif()  # the fixture does carry EXIF
    source.seek(0)
    cleaned = document_clean(source, field="receipt")
    assert cleaned.kind == "image"
    stored = Image.open(io.BytesIO(cleaned.content.read()))
    assert stored.format == "JPEG" and not stored.getexif()


def test_a_pdf_receipt_loses_its_scripts_and_open_actions() -> None:
    source = _pdf(script=True)
    assert b"/JavaScript" in source.getvalue()
    cleaned = document_clean(source, field="receipt")
    data = cleaned.content.read()
    assert cleaned.kind == "pdf"
    assert b"/JavaScript" not in data and b"/OpenAction" not in data and b"/JS" not in data
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_a_pdf_with_too_many_pages_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        document_clean(_pdf(MAX_PDF_PAGES + 1), field="receipt")
    assert "页" in refused.value.message_dict["receipt"][0]


@pytest.mark.parametrize(
    "payload",
    [b"%PDF-1.7 not really a pdf", b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 an exe", b""],
)
def test_fake_or_unknown_files_are_refused_in_chinese(payload: bytes) -> None:
    upload = io.BytesIO(payload)
    upload.name = "receipt.pdf"
    with pytest.raises(ValidationError) as refused:
        document_clean(upload, field="receipt")
    assert any(word in refused.value.message_dict["receipt"][0] for word in ("无法识别", "PDF", "照片"))


def test_an_oversized_pdf_is_refused_before_parsing() -> None:
    upload = io.BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10))
    upload.name = "big.pdf"
    with pytest.raises(ValidationError) as refused:
        document_clean(upload, field="receipt")
    assert "MB" in refused.value.message_dict["receipt"][0]
