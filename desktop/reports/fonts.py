"""The fonts every report embeds, registered once per process.

Why embedded TrueType fonts and not Helvetica: the PDF's standard fonts know only
Latin-1, so a Polish, Arabic or emoji name would print as boxes or vanish. DejaVu Sans
covers Latin with every accent, Arabic presentation forms and the common emoticons; Noto
Sans Symbols 2 covers pictographs DejaVu lacks; Noto Emoji (monochrome outlines, which a
PDF can embed, where a colour emoji font's bitmaps cannot be) covers the emoji people
type: faces, hands with their skin tones, ticks and crosses, hearts. All ship in
``resources/fonts`` with their licences (see its README).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from desktop.paths import resource

BODY = "DipSans"
BOLD = "DipSans-Bold"
SYMBOLS = "DipSymbols"
EMOJI = "DipEmoji"
_FILES = {BODY: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
          SYMBOLS: "NotoSansSymbols2-Regular.ttf",
          # A variable font, read at its default weight (reportlab ignores the variations).
          EMOJI: "NotoEmoji-VariableFont_wght.ttf"}


@dataclass(frozen=True)
class Coverage:
    """The characters each font can draw (for choosing a fallback per character)."""

    body: frozenset[int]
    bold: frozenset[int]
    symbols: frozenset[int]
    emoji: frozenset[int] = frozenset()


_original_cmap = ttfonts.makeToUnicodeCMap


def _unicode_hex(code: int) -> str:
    """A character as a ToUnicode CMap's destination: UTF-16BE, as the PDF standard asks."""
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with characters beyond U+FFFF written correctly.

    Why: reportlab writes such a character as ``<1F600>``, an odd number of hex digits
    that no reader can decode, so an emoji in a name printed but could not be read,
    searched or copied back out of the PDF. The standard wants the UTF-16 surrogate
    pair (``<D83DDE00>``); characters below U+10000 come out exactly as before.
    """
    text = _original_cmap(fontname, subset)
    if all(code <= 0xFFFF for code in subset):
        return text
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            text = text.replace(f"<{index:02X}> <{code:04X}>",
                                f"<{index:02X}> <{_unicode_hex(code)}>", 1)
    return text


class _SubsetCache:
    """A font's subsets by the characters they hold, shared by every document.

    Why: reportlab cuts the embedded font down to the characters a document uses,
    parsing the whole font each time. The documents of a batch use nearly the same
    characters (headings, labels, English text), so most subsets repeat; a subset
    depends only on the font and its characters, so a cached one is the same bytes.
    Bounded, because free text can make every subset different.
    """

    LIMIT = 64

    def __init__(self, make: Callable[[Sequence[int]], bytes]) -> None:
        self.make = make
        self.made: dict[tuple[int, ...], bytes] = {}
        self.lock = threading.Lock()

    def __call__(self, subset: Sequence[int]) -> bytes:
        key = tuple(subset)
        with self.lock:
            found = self.made.get(key)
        if found is None:
            found = self.make(subset)
            with self.lock:
                if len(self.made) >= self.LIMIT:
                    self.made.pop(next(iter(self.made)))
                self.made[key] = found
        return found


_lock = threading.Lock()
_coverage: Coverage | None = None


def ensure_fonts() -> Coverage:
    """Register the fonts (once; the GUI's worker and the CLI may both ask)."""
    global _coverage
    with _lock:
        if _coverage is None:
            ttfonts.makeToUnicodeCMap = to_unicode_cmap
            faces: dict[str, frozenset[int]] = {}
            for name, file in _FILES.items():
                font = TTFont(name, str(resource("fonts", file)))
                font.face.makeSubset = _SubsetCache(font.face.makeSubset)
                pdfmetrics.registerFont(font)
                faces[name] = frozenset(font.face.charToGlyph)
            addMapping(BODY, 0, 0, BODY)
            addMapping(BODY, 1, 0, BOLD)
            addMapping(BODY, 0, 1, BODY)
            addMapping(BODY, 1, 1, BOLD)
            _coverage = Coverage(faces[BODY], faces[BOLD], faces[SYMBOLS], faces[EMOJI])
        return _coverage
