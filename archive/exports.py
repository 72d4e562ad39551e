"""The file as a Word document (python-docx, as duties' reports): A4 portrait, the province's header on
every page, each section on a new page, the same sections as the page (decision 0132)."""

from __future__ import annotations

import io
import re

from .selectors import Archive

#: characters XML 1.0 cannot hold (a vertical tab pasted into a reason): python-docx refuses them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def docx_bytes(archive: Archive) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    header = section.header.paragraphs[0]
    header.text = archive.header
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.text = f"{_clean(archive.subject)} · 生成于 {archive.made_on:%Y年%m月%d日}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(archive.title)
    run.bold = True
    run.font.size = Pt(20)
    subject = document.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject.add_run(_clean(archive.subject)).font.size = Pt(16)
    document.add_paragraph(_clean(archive.subtitle)).alignment = WD_ALIGN_PARAGRAPH.CENTER

    for index, part in enumerate(archive.sections):
        if index:
            document.add_page_break()  # type: ignore[no-untyped-call]
        title = document.add_paragraph()
        title_run = title.add_run(f"{part.title}（{part.basis}）")
        title_run.bold = True
        title_run.font.size = Pt(14)
        for label, value in part.facts:
            document.add_paragraph(_clean(f"{label}：{value}"))
        for table in part.tables:
            if table.caption:
                document.add_paragraph(table.caption).runs[0].bold = True
            if not table.rows:
                document.add_paragraph(table.empty)
                continue
            grid = document.add_table(rows=1, cols=len(table.headers))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
                cell.text = text
            for row in table.rows:
                for cell, text in zip(grid.add_row().cells, row, strict=True):
                    cell.text = _clean(text)
        if part.note:
            document.add_paragraph(part.note).runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
