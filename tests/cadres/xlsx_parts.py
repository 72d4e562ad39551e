"""Hostile workbooks for the roster tests, built part by part with zipfile from a valid roster: what
a careless generator or an attacker can put in an xlsx that openpyxl would never write."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from zhucun.testing.roster import roster_bytes, roster_row

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def valid_roster() -> bytes:
    return roster_bytes([roster_row()])


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_shared_strings(parts: dict[str, bytes], strings_xml: bytes) -> dict[str, bytes]:
    """``parts`` with a shared-strings table declared in the manifest and the workbook's relations."""
    parts = dict(parts)
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/{STRINGS}" ContentType="{_STRINGS_TYPE}"/></Types>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdStrings" Type="{_STRINGS_REL}" Target="sharedStrings.xml"/></Relationships>',
    ).encode()
    parts[STRINGS] = strings_xml
    return parts


def shared_strings_xml(texts: Iterable[str], *, declared: int | None = None) -> bytes:
    items = list(texts)
    count = len(items) if declared is None else declared
    body = "".join(f"<si><t>{text}</t></si>" for text in items)
    return f'<sst xmlns="{NS}" count="{count}" uniqueCount="{count}">{body}</sst>'.encode()


def as_shared_strings(data: bytes) -> bytes:
    """The roster ``data`` as Excel writes it: every text cell a reference into the shared strings
    (openpyxl writes inline strings)."""
    parts = parts_of(data)
    texts: list[str] = []

    def to_reference(match: re.Match[str]) -> str:
        texts.append(match[2])
        return f'<c r="{match[1]}" t="s"><v>{len(texts) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>(.*?)</t></is></c>', to_reference, parts[SHEET].decode())
    parts[SHEET] = sheet.encode()
    return zipped(with_shared_strings(parts, shared_strings_xml(texts)))


def with_rows(data: bytes, rows_xml: str, *, dimension: str | None = None) -> bytes:
    """``data`` with ``rows_xml`` appended to the first sheet's rows (and its ``<dimension>`` replaced)."""
    parts = parts_of(data)
    sheet = parts[SHEET].decode().replace("</sheetData>", rows_xml + "</sheetData>")
    if dimension is not None:
        sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', sheet)
    parts[SHEET] = sheet.encode()
    return zipped(parts)


def with_cell(data: bytes, reference: str, cell_xml: str) -> bytes:
    """``data`` with the cell at ``reference`` (e.g. ``F2``) replaced by ``cell_xml``."""
    parts = parts_of(data)
    sheet, found = re.subn(rf'<c r="{reference}"[^>]*>.*?</c>', cell_xml, parts[SHEET].decode(), count=1)
    assert found == 1, reference
    parts[SHEET] = sheet.encode()
    return zipped(parts)
