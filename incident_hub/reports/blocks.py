"""The dossier as a small document model, so the Markdown and the PDF say exactly the same.

``dossier.build`` produces sections of blocks; ``markdown.render`` and ``pdf.render`` draw them.
Every string in a block is plain text (user text included): each renderer escapes or encodes
it for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str
    level: int = 3


@dataclass
class Facts:
    """Label: value pairs (empty values are left out)."""

    pairs: list[tuple[str, str]]


@dataclass
class Text:
    """A block of user text; line breaks are kept."""

    text: str
    label: str = ""


@dataclass
class Note:
    """The tool's own remark (why something is not shown, what was excluded)."""

    text: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[int] = field(default_factory=list)  # relative column widths for the PDF


Block = Heading | Facts | Text | Note | Table


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    banners: list[str]  # restricted, gag order: said before anything else
    sections: list[Section]
    ref: str
