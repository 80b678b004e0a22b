"""Draw a dossier :class:`~incident_hub.reports.blocks.Document` as CommonMark/GFM Markdown.

User text is escaped so it reads as written and never as markup: every character Markdown
could take for syntax is backslash-escaped (which includes ``<``, so no raw HTML gets through),
and in table cells line breaks become ``<br>`` tags of our own.
"""

from __future__ import annotations

import re

from .blocks import Document, Facts, Heading, Note, Table, Text

# Only escaped where it matters, to keep text readable: at the start of a line, list markers
# and headings; everywhere, the characters that open emphasis, links, code, HTML and tables.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text made literal in Markdown (inline and at line starts)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _ANYWHERE.sub(r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)  # no entity is decoded: &lt; stays as typed
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def escape_inline(text: str) -> str:
    """For a heading, list item or table cell: one line."""
    one_line = " ".join(str(text).split())
    return escape(one_line).lstrip()


def _cell(text: str) -> str:
    lines = [escape_inline(line) for line in str(text).splitlines() if line.strip()]
    return "<br>".join(lines) or " "


def _text_block(text: str) -> str:
    """Paragraphs as typed: blank lines separate paragraphs, single line breaks are kept."""
    paragraphs = re.split(r"\n\s*\n", str(text).replace("\r\n", "\n").strip())
    out = []
    for paragraph in paragraphs:
        lines = [escape(line.strip()) for line in paragraph.split("\n") if line.strip()]
        out.append("  \n".join(lines))  # two spaces: a hard line break
    return "\n\n".join(out)


def render(doc: Document) -> str:
    parts = [f"# {escape_inline(doc.title)}", "", f"_{escape_inline(doc.subtitle)}_", ""]
    for banner in doc.banners:
        parts += [f"> **{escape_inline(banner)}**", ""]
    parts += ["## Contents", ""]
    parts += [f"{n}. {escape_inline(s.title)}" for n, s in enumerate(doc.sections, 1)]
    parts.append("")
    for section in doc.sections:
        parts += [f"## {escape_inline(section.title)}", ""]
        for block in section.blocks:
            parts += _block(block)
    return "\n".join(parts).rstrip() + "\n"


def _block(block: object) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {escape_inline(block.text)}", ""]
    if isinstance(block, Facts):
        items = [
            f"- **{escape_inline(label)}:** {escape_inline(value)}"
            for label, value in block.pairs
            if str(value).strip()
        ]
        return [*items, ""]
    if isinstance(block, Text):
        label = block.label.rstrip()
        colon = "" if label[-1:] in ("?", ":", ".", "!") else ":"
        head = [f"**{escape_inline(label)}{colon}**", ""] if label else []
        return [*head, _text_block(block.text) or "—", ""]
    if isinstance(block, Note):
        return [f"_{escape_inline(block.text)}_", ""]
    if isinstance(block, Table):
        if not block.rows:
            return ["_None._", ""]
        lines = [
            "| " + " | ".join(_cell(h) for h in block.headers) + " |",
            "|" + "|".join("---" for _ in block.headers) + "|",
        ]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return [*lines, ""]
    raise TypeError(f"unknown block {type(block).__name__}")
