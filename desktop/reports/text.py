"""Turning what a person typed into reportlab paragraph markup that prints as typed.

Why every piece of user text passes through :func:`markup`: reportlab's paragraphs are
XML-like markup, so a typed ``<b>`` would turn bold and a bare ``&`` would stop the
report with a parse error. Escaping makes them text. Beyond escaping:

- Arabic and Hebrew are shaped (``arabic_reshaper``: the joined letter forms) and put
  in visual order (``python-bidi``), because reportlab lays glyphs out left to right as
  stored and would otherwise print detached letters backwards.
- A character the body font lacks (a pictograph) is set in the symbols font, so it
  prints as itself instead of a missing-glyph box.
- Line breaks are kept; long words are split by the paragraph itself
  (``splitLongWords``), so a 5,000-character answer wraps and flows over pages.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display

from desktop.reports.fonts import SYMBOLS, Coverage, ensure_fonts

RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: Invisible characters that only select a presentation; dropped when no font has them.
_SELECTORS = frozenset({0xFE0E, 0xFE0F, 0x200D})
#: Control characters other than tab and newline: never meaningful in a report.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def visual(line: str) -> str:
    """One line of right-to-left text shaped and in display order (left-to-right as
    drawn); other lines unchanged."""
    if not RTL.search(line):
        return line
    return get_display(arabic_reshaper.reshape(line))


def _fonts(text: str, coverage: Coverage) -> str:
    """Escape ``text``, putting runs the body font cannot draw in the symbols font."""
    out: list[str] = []
    run: list[str] = []
    for char in text:
        code = ord(char)
        if code in coverage.body or char in "\n\t ":
            if run:
                out.append(f'<font name="{SYMBOLS}">{escape("".join(run))}</font>')
                run = []
            out.append(escape(char))
        elif code in coverage.symbols:
            run.append(char)
        elif code in _SELECTORS:
            continue
        else:
            out.append(escape(char))
    if run:
        out.append(f'<font name="{SYMBOLS}">{escape("".join(run))}</font>')
    return "".join(out)


def markup(text: str | None) -> str:
    """``text`` as paragraph markup that prints exactly those characters."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    coverage = ensure_fonts()
    lines = (_fonts(visual(line), coverage) for line in text.split("\n"))
    return "<br/>".join(lines)


def or_none(text: str | None, missing: str) -> str:
    """The markup of ``text``, or ``missing`` in italics: an empty section says so."""
    if text and text.strip():
        return markup(text)
    return f"<i>{escape(missing)}</i>"


def label(code: str | None) -> str:
    """A stored code as words: ``partly_met`` -> "Partly met"."""
    if not code:
        return ""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
