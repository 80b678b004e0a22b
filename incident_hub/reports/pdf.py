"""Draw a dossier :class:`~incident_hub.reports.blocks.Document` as a PDF (fpdf2, pure Python).

Unicode (Cyrillic, Turkish, Arabic, Greek…) is drawn with the DejaVu Sans TrueType font
(Debian's ``fonts-dejavu-core``); characters the font lacks come out as blanks, never as an
error. Where the font is not installed the PDF falls back to a core font and replaces what
Latin-1 cannot hold with "?", so an export never fails for want of a font. Long text wraps and
flows over as many pages as it needs; table headings repeat on each page.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos

from .blocks import Document, Facts, Heading, Note, Table, Text

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
MAX_CELL = 400  # characters per table cell (the dossier's cells are short; this keeps a row
# on one page whatever a field holds)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# fpdf2 logs a warning per missing glyph (an emoji in a summary); that is not worth a log line
logging.getLogger("fpdf").setLevel(logging.ERROR)


def _font_files() -> tuple[Path, Path] | None:
    for directory in FONT_DIRS:
        regular, bold = Path(directory) / REGULAR, Path(directory) / BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Pdf(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(format="A4")
        self.doc = doc
        fonts = _font_files()
        self.unicode = fonts is not None
        if fonts:
            self.add_font("DejaVu", "", str(fonts[0]))
            self.add_font("DejaVu", "B", str(fonts[1]))
            self.family_name = "DejaVu"
        else:
            self.family_name = "helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.alias_nb_pages()

    def clean(self, text: object) -> str:
        value = _CONTROL.sub("", str(text).replace("\t", "    ").replace("\r\n", "\n"))
        if not self.unicode:
            value = value.encode("latin-1", "replace").decode("latin-1")
        return value

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(8)
        self.set_text_color(110, 110, 110)
        banners = " ".join(self.doc.banners)
        marks = [mark for mark in ("RESTRICTED", "GAG ORDER") if mark in banners]
        left = " · ".join([self.doc.ref, *marks])
        self.cell(0, 6, self.clean(f"{left}    page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0, 0, 0)

    def para(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.font(size, bold)
        self.multi_cell(0, height, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(doc: Document) -> bytes:
    pdf = _Pdf(doc)
    pdf.set_title(pdf.clean(doc.title))
    pdf.set_subject(pdf.clean(f"Case dossier {doc.ref}"))
    pdf.set_creator("Incident Hub")
    pdf.add_page()
    pdf.para(doc.title, size=17, bold=True, height=8)
    pdf.set_text_color(90, 90, 90)
    pdf.para(doc.subtitle, size=9)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    for banner in doc.banners:
        pdf.set_fill_color(251, 213, 213)
        pdf.font(10, bold=True)
        pdf.multi_cell(
            0, 6, pdf.clean(banner), fill=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(2)
    for section in doc.sections:
        pdf.ln(3)
        if pdf.get_y() > pdf.h - 50:  # a section heading never ends a page alone
            pdf.add_page()
        pdf.para(section.title, size=13, bold=True, height=7)
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
        for block in section.blocks:
            _block(pdf, block)
    return bytes(pdf.output())


def _block(pdf: _Pdf, block: object) -> None:
    if isinstance(block, Heading):
        pdf.ln(1)
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.para(block.text, size=11, bold=True, height=6)
    elif isinstance(block, Facts):
        _facts(pdf, [(label, value) for label, value in block.pairs if str(value).strip()])
    elif isinstance(block, Text):
        if block.label:
            pdf.para(block.label, size=9, bold=True)
        pdf.para(block.text.strip() or "—", size=10)
        pdf.ln(1.5)
    elif isinstance(block, Note):
        pdf.set_text_color(90, 90, 90)
        pdf.para(block.text, size=9)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)
    elif isinstance(block, Table):
        _table(pdf, block)
    else:
        raise TypeError(f"unknown block {type(block).__name__}")


def _facts(pdf: _Pdf, pairs: list[tuple[str, str]]) -> None:
    label_w, line = 42, 5
    for label, value in pairs:
        label = pdf.clean(label)
        pdf.font(9, bold=True)
        # fpdf2 types the result as every output= combination; "LINES" gives the lines.
        lines = cast(list[str], pdf.multi_cell(label_w, line, label, dry_run=True, output="LINES"))
        needed = max(len(lines), 1) * line
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        page, top = pdf.page, pdf.get_y()
        pdf.multi_cell(label_w, line, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.font(9)
        pdf.multi_cell(0, line, pdf.clean(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if pdf.page == page:  # a label on two lines: the next pair starts below it
            pdf.set_y(max(pdf.get_y(), top + needed))
    pdf.ln(2)


def _cell_text(pdf: _Pdf, text: str) -> str:
    value = pdf.clean(text)
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"


def _table(pdf: _Pdf, block: Table) -> None:
    if not block.rows:
        _block(pdf, Note("None."))
        return
    pdf.font(8)
    widths = tuple(block.widths) if len(block.widths) == len(block.headers) else None
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.5,
        cell_fill_color=(242, 244, 247),
        cell_fill_mode=TableCellFillMode.ROWS,
        padding=1,
    ) as table:
        heading = table.row()
        for title in block.headers:
            heading.cell(_cell_text(pdf, title))
        for values in block.rows:
            row = table.row()
            for value in values:
                row.cell(_cell_text(pdf, value))
    pdf.ln(3)
