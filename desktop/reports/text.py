"""Turning what a person typed into reportlab paragraph markup that prints as typed.

Why every piece of user text passes through :func:`markup`: reportlab's paragraphs are
XML-like markup, so a typed ``<b>`` would turn bold and a bare ``&`` would stop the
report with a parse error. Escaping makes them text. Beyond escaping:

- Arabic is shaped (``arabic_reshaper``: the joined letter forms) in the typed order,
  and right-to-left text is put in display order line by line *after* the paragraph
  is wrapped (:func:`bidi_after_wrapping`). Reordering before wrapping, as this module
  once did, reversed the whole paragraph and then cut it into lines from the left, so
  a three-line Arabic or Hebrew paragraph printed its last line first.
- A character the body font lacks is set in a font that has it: pictographs in the
  symbols font, emoji (faces, hands and their skin tones, ticks and crosses) in the
  monochrome emoji font, so each prints as itself and stays in the PDF's text, where a
  missing glyph would print a box and drop the character from the text layer.
- Line breaks are kept; long words are split by the paragraph itself
  (``splitLongWords``), so a 5,000-character answer wraps and flows over pages.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import algorithm as _uba
from bidi import get_base_level, get_display
from bidi.mirror import MIRRORED
from reportlab.platypus import Paragraph

from desktop.reports.fonts import EMOJI, SYMBOLS, Coverage, ensure_fonts

RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: Invisible characters that only select a presentation or join an emoji sequence: set
#: in the emoji font (zero width) so they stay in the text, dropped if no font has them.
_SELECTORS = frozenset({0xFE0E, 0xFE0F, 0x200D, 0x20E3})
_EMOJI_STYLE = 0xFE0F
#: Control characters other than tab and newline: never meaningful in a report.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def visual(line: str) -> str:
    """One line of right-to-left text shaped and in display order (left-to-right as
    drawn); other lines unchanged. For text drawn as one line (a chart's label); a
    paragraph's lines are reordered after wrapping instead."""
    if not RTL.search(line):
        return line
    shaped = arabic_reshaper.reshape(line)
    return "".join(c for c, _ in display_order([(c, 0) for c in shaped],
                                                get_base_level(shaped)))


def _font_for(code: int, following: int, coverage: Coverage) -> str | None:
    """The font a character is set in: "" for the body font, a font name, or None to
    leave it out (a selector no font has)."""
    if code in coverage.emoji and (code >= 0x1F000 or following == _EMOJI_STYLE
                                   or code in _SELECTORS):
        return EMOJI  # an emoji, or text asked to show as one: one style for all of them
    if code in coverage.body:
        return ""
    if code in coverage.symbols:
        return SYMBOLS
    if code in coverage.emoji:
        return EMOJI
    if code in _SELECTORS:
        return None
    return ""  # nothing has it: kept in the text, whatever the body font shows


def _fonts(text: str, coverage: Coverage) -> str:
    """Escape ``text``, putting runs the body font cannot draw in a font that can."""
    out: list[str] = []
    run: list[str] = []
    run_font = ""

    def flush() -> None:
        if run:
            chunk = escape("".join(run))
            out.append(f'<font name="{run_font}">{chunk}</font>' if run_font else chunk)
            run.clear()

    for index, char in enumerate(text):
        following = ord(text[index + 1]) if index + 1 < len(text) else 0
        font = "" if char in "\n\t " else _font_for(ord(char), following, coverage)
        if font is None:
            continue
        if font != run_font:
            flush()
            run_font = font
        run.append(char)
    flush()
    return "".join(out)


def markup(text: str | None) -> str:
    """``text`` as paragraph markup that prints exactly those characters.

    Right-to-left lines are shaped here but left in the typed order: the paragraph puts
    each wrapped line in display order when it draws it (:func:`bidi_after_wrapping`).
    """
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    coverage = ensure_fonts()
    lines = []
    for line in text.split("\n"):
        if RTL.search(line):
            bidi_after_wrapping()
            line = arabic_reshaper.reshape(line)
        lines.append(_fonts(line, coverage))
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


# -- right-to-left text, line by line after wrapping -----------------------------------
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")
#: Whitespace a line's end resets to the paragraph's level (rule L1).
_TRAILING = frozenset({"WS", "BN", "LRI", "RLI", "FSI", "PDI", "S", "B"})


def _levels(text: str, base_level: int) -> list[int]:
    """The resolved embedding level of each character of ``text`` (rules P to I).

    Why read from python-bidi's debug report: its fast implementation (the Rust
    ``unicode-bidi`` crate, which pairs brackets as UAX #9 asks) returns only the
    reordered string, and a line that mixes fonts needs each character's level to
    keep it in its own piece. The report lists a level per UTF-8 byte; a character's is
    its first byte's. Should the report's form ever change, the package's older pure
    Python algorithm answers instead (it does not pair brackets).
    """
    report = str(get_display(text, base_dir="LR"[base_level], debug=True))
    found = _LEVEL.findall(report.split("levels:", 1)[-1].split("paragraphs:", 1)[0])
    if len(found) == len(text.encode("utf-8")):
        levels, at = [], 0
        for char in text:
            levels.append(int(found[at]))
            at += len(char.encode("utf-8"))
        return levels
    storage = _uba.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = "LR"[base_level]
    _uba.get_embedding_levels(text, storage)
    for entry, index in zip(storage["chars"], range(len(text)), strict=True):
        entry["index"] = index
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage, False)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    levels = [base_level] * len(text)
    for entry in storage["chars"]:
        levels[entry["index"]] = entry["level"]
    return levels


def display_order(pieces: Sequence[tuple[str, int]], base_level: int
                  ) -> list[tuple[str, int]]:
    """One line's characters, each with the piece it came from, in display order.

    The Unicode bidirectional algorithm (UAX #9) for one line of a paragraph whose
    direction is ``base_level`` (0 left-to-right, 1 right-to-left): levels resolved,
    trailing spaces reset (L1), runs reversed (L2), mirrored characters mirrored (L4).
    Why by character with an owner: a line may mix fonts (a bold label, an emoji run),
    so the reordered characters must go back into the pieces they were drawn in.
    """
    if not pieces:
        return []
    text = "".join(c for c, _ in pieces)
    levels = _levels(text, base_level)
    for index in range(len(text) - 1, -1, -1):  # L1: the line's trailing whitespace
        if unicodedata.bidirectional(text[index]) not in _TRAILING:
            break
        levels[index] = base_level
    order = list(range(len(text)))
    highest = max(levels)
    lowest_odd = min((v for v in levels if v % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):  # L2
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end + 1 < len(order) and levels[order[end + 1]] >= level:
                    end += 1
                order[index:end + 1] = order[index:end + 1][::-1]
                index = end + 1
            else:
                index += 1
    out = []
    for index in order:
        char = text[index]
        if levels[index] % 2 and unicodedata.mirrored(char):
            char = MIRRORED.get(char, char)  # L4
        out.append((char, pieces[index][1]))
    return out


def _frag_text(frag: Any) -> str:
    return "" if hasattr(frag, "cbDefn") else str(frag.text)


def _line_order(words: list[Any], base_level: int) -> list[Any]:
    """The fragments of one wrapped line (kind 1) rewritten in display order."""
    pieces = [(char, n) for n, frag in enumerate(words) for char in _frag_text(frag)]
    if not RTL.search("".join(c for c, _ in pieces)):
        return words
    if any(hasattr(f, "cbDefn") for f in words):
        return words  # an image or anchor: none in our reports, so left as laid out
    out: list[Any] = []
    for char, owner in display_order(pieces, base_level):
        if out and out[-1][1] == owner:
            out[-1][0].append(char)
        else:
            out.append(([char], owner))
    return [words[owner].clone(text="".join(chars)) for chars, owner in out]


def _visual_lines(blpara: Any, base_level: int) -> Any:
    """A copy of a wrapped paragraph's lines, each in display order."""
    copy = blpara.clone()
    if blpara.kind == 0:
        lines = []
        for extra, words in blpara.lines:
            text = " ".join(words)
            if RTL.search(text):
                shown = "".join(c for c, _ in display_order([(c, 0) for c in text],
                                                            base_level))
                words = shown.split(" ")
            lines.append((extra, words))
        copy.lines = lines
    else:
        lines = []
        for line in blpara.lines:
            words = _line_order(line.words, base_level)
            lines.append(line if words is line.words else line.clone(words=words))
        copy.lines = lines
    return copy


def _wrapped_text(blpara: Any) -> str:
    """The text of a wrapped paragraph's lines, as they will be drawn."""
    if blpara.kind == 0:
        return " ".join(" ".join(words) for _extra, words in blpara.lines)
    return " ".join("".join(_frag_text(f) for f in line.words) for line in blpara.lines)


_patch_lock = threading.Lock()
_patched = False


def bidi_after_wrapping() -> None:
    """Make every paragraph draw its right-to-left lines in display order (once).

    Why a patch of reportlab's ``Paragraph.drawPara`` and not a subclass: every report
    builds plain ``Paragraph`` objects from :func:`markup` (and tables build them from
    cells), and a subclass would have to reach all of them. The patch reorders a copy of
    the wrapped lines for drawing only, so splitting a paragraph over pages (which
    re-wraps its fragments) still sees the typed order. The paragraph's direction is
    its first strong character's (Unicode rule P2), so an Arabic answer reads right to
    left and "Answer: <Arabic>" left to right with the Arabic run reversed in place.
    A paragraph with no right-to-left character is drawn exactly as before.
    """
    global _patched
    with _patch_lock:
        if _patched:
            return
        original: Callable[..., Any] = Paragraph.drawPara

        def draw_para(self: Paragraph, debug: int = 0) -> Any:
            blpara = getattr(self, "blPara", None)
            text = _wrapped_text(blpara) if blpara is not None else ""
            if not text or not RTL.search(text):
                return original(self, debug)
            self.blPara = _visual_lines(blpara, get_base_level(text))
            try:
                return original(self, debug)
            finally:
                self.blPara = blpara

        Paragraph.drawPara = draw_para
        _patched = True
