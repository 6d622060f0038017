"""Colours the screens add to the system's palette, readable in light and dark mode.

Why pairs, always: the window follows the system's light or dark palette, so a colour
set on its own (dark red text) can vanish on a dark background. Every colour here comes
with its partner: a filled background with its own text colour, as the RAG tints do
(``case_table.RAG_COLOURS``). Colour is never the only signal: the words say it too.

Why a muted text colour is worked out from the palette rather than fixed: a dropped
case's grey (#6b6b6b) read well on white and at 2.6:1 on a dark list. ``muted_text``
takes the palette's own text colour towards its background only as far as the text
still meets WCAG's 4.5:1 on the list's background and its alternate rows.

``contrast`` is WCAG 2's contrast ratio; the tests hold every pair here, and every
colour drawn on the palette, to 4.5:1 (AA for normal text) in a light and a dark
palette (``LIGHT`` and ``DARK``: Qt's Fusion colours and a common dark scheme).
"""

from __future__ import annotations

from functools import lru_cache

from desktop.qt import QColor, QPalette

#: A problem beside a field: white on a strong red, readable on any window background
#: (contrast 6.5:1).
PROBLEM_BACKGROUND, PROBLEM_TEXT = "#b3261e", "#ffffff"
PROBLEM_STYLE = (f"color: {PROBLEM_TEXT}; background: {PROBLEM_BACKGROUND}; "
                 "padding: 2px 4px; font-weight: bold;")
#: WCAG 2 AA for normal text.
AA = 4.5

#: The backgrounds text is drawn on, and the text colour, of two reference palettes:
#: Qt's Fusion light palette, and a common dark one (Fusion's dark, Windows' dark mode).
LIGHT = {"window": "#efefef", "base": "#ffffff", "alternate": "#f7f7f7", "text": "#000000"}
DARK = {"window": "#353535", "base": "#2a2a2a", "alternate": "#343434", "text": "#ffffff"}


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str | QColor) -> float:
    """WCAG 2's relative luminance of ``colour`` (a #rrggbb name or a QColor)."""
    c = QColor(colour) if isinstance(colour, str) else colour
    return (0.2126 * _channel(c.red()) + 0.7152 * _channel(c.green())
            + 0.0722 * _channel(c.blue()))


def contrast(one: str | QColor, other: str | QColor) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 to 21."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def reference_palette(colours: dict[str, str]) -> QPalette:
    """A QPalette with ``LIGHT``'s or ``DARK``'s colours (for tests and checks)."""
    palette = QPalette()
    roles = {"window": QPalette.ColorRole.Window, "base": QPalette.ColorRole.Base,
             "alternate": QPalette.ColorRole.AlternateBase}
    for key, role in roles.items():
        palette.setColor(role, QColor(colours[key]))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(role, QColor(colours["text"]))
    return palette


@lru_cache(maxsize=8)
def _muted(text: str, backgrounds: tuple[str, ...]) -> str:
    ink, worst = QColor(text), min(backgrounds, key=lambda b: contrast(text, b))
    paper = QColor(worst)
    best = text
    for step in range(1, 20):  # 5% at a time from the text towards the background
        share = step / 20
        mixed = QColor(round(ink.red() + (paper.red() - ink.red()) * share),
                       round(ink.green() + (paper.green() - ink.green()) * share),
                       round(ink.blue() + (paper.blue() - ink.blue()) * share))
        if min(contrast(mixed, b) for b in backgrounds) < AA:
            break
        best = mixed.name()
    return best


def muted_text(palette: QPalette) -> QColor:
    """A quieter text colour (a dropped case) that still meets 4.5:1 on the palette's
    base and alternate base, in light mode or dark."""
    backgrounds = tuple(palette.color(role).name() for role in (
        QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase))
    return QColor(_muted(palette.color(QPalette.ColorRole.Text).name(), backgrounds))
